using System.Text.Json.Nodes;

namespace DeployRunner.ContainerTests.Infrastructure;

/// <summary>
/// The directories the Actions runner prepares for a Docker action (PLATFORM.md §1): the
/// workspace, <c>_github_workflow</c> with event.json, <c>_runner_file_commands</c> with the
/// output, state and summary files, and <c>_github_home</c>. Deleted on dispose.
/// </summary>
public sealed class RunnerLayout : IDisposable
{
    public const string Repository = "octocat/hello-world";
    public const string RunId = "7001";
    public const string Token = "ghs_containerTestToken0123456789";
    public const string LogUrl = $"https://github.com/{Repository}/actions/runs/{RunId}";

    private readonly string _id = Guid.NewGuid().ToString("N");

    public RunnerLayout(string eventJson)
    {
        Root = Directory.CreateTempSubdirectory("deployrunner-layout-").FullName;
        foreach (var dir in new[] { Home, Workflow, FileCommands, Workspace }) Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(Workflow, "event.json"), eventJson);
        foreach (var file in new[] { OutputFile, StateFile, SummaryFile }) File.WriteAllText(file, "");
    }

    public string Root { get; }
    public string Home => Path.Combine(Root, "_github_home");
    public string Workflow => Path.Combine(Root, "_github_workflow");
    public string FileCommands => Path.Combine(Root, "_runner_file_commands");
    public string Workspace => Path.Combine(Root, "workspace");
    public string OutputFile => Path.Combine(FileCommands, $"set_output_{_id}");
    public string StateFile => Path.Combine(FileCommands, $"save_state_{_id}");
    public string SummaryFile => Path.Combine(FileCommands, $"step_summary_{_id}");

    /// <summary>The deployment event these tests run: <see cref="WebhookEvents.Deployment"/> with the container tests' id and environment.</summary>
    public static string DeployEvent(long id = 4242424242, JsonObject? payload = null, string task = "deploy", string environment = "production") =>
        WebhookEvents.Deployment(id, task, environment, payload: payload, production: environment == "production", description: "Deploy main");

    /// <summary>
    /// What the runner sets for the step: inputs as INPUT_* (hyphens kept, defaults filled in),
    /// GITHUB_* pointing at the paths the program sees (<paramref name="inContainer"/>: the
    /// /github/... mounts; else this layout's host paths).
    /// </summary>
    public Dictionary<string, string> Variables(string apiUrl, IReadOnlyDictionary<string, string> inputs, bool inContainer)
    {
        string Path(string hostPath, string containerPath) => inContainer ? containerPath : hostPath;
        static string name(string path) => System.IO.Path.GetFileName(path);
        var variables = new Dictionary<string, string>
        {
            ["INPUT_TOKEN"] = Token,
            ["HOME"] = Path(Home, "/github/home"),
            ["GITHUB_ACTIONS"] = "true",
            ["CI"] = "true",
            ["GITHUB_API_URL"] = apiUrl,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_REPOSITORY"] = Repository,
            ["GITHUB_RUN_ID"] = RunId,
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_EVENT_NAME"] = "deployment",
            ["GITHUB_SHA"] = "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
            ["GITHUB_REF"] = "refs/heads/main",
            ["GITHUB_EVENT_PATH"] = Path(System.IO.Path.Combine(Workflow, "event.json"), "/github/workflow/event.json"),
            ["GITHUB_WORKSPACE"] = Path(Workspace, "/github/workspace"),
            ["GITHUB_OUTPUT"] = Path(OutputFile, $"/github/file_commands/{name(OutputFile)}"),
            ["GITHUB_STATE"] = Path(StateFile, $"/github/file_commands/{name(StateFile)}"),
            ["GITHUB_STEP_SUMMARY"] = Path(SummaryFile, $"/github/file_commands/{name(SummaryFile)}"),
            ["ACTIONS_RUNTIME_TOKEN"] = "runtime-secret-never-printed",
        };
        // action.yml defaults, as the runner fills them in.
        foreach (var (variable, value) in ActionMetadata.DefaultVariables([.. RunnerSandbox.CoreInputs, "script", "remove-script", "working-directory", "environment-url"]))
            variables[variable] = value;
        foreach (var (input, value) in inputs) variables["INPUT_" + input.ToUpperInvariant()] = value;
        return variables;
    }

    /// <summary>
    /// The STATE_* variables the runner gives the post step: the main step's GITHUB_STATE file,
    /// read as the runner reads it (NAME=VALUE lines and NAME&lt;&lt;DELIM blocks).
    /// </summary>
    public Dictionary<string, string> StateVariables() =>
        KeyValueFile.Parse(File.ReadAllText(StateFile)).ToDictionary(pair => "STATE_" + pair.Key, pair => pair.Value);

    /// <summary>GITHUB_OUTPUT as NAME -> VALUE (heredoc values joined by LF).</summary>
    public Dictionary<string, string> Outputs() => KeyValueFile.Parse(File.ReadAllText(OutputFile)).ToDictionary();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
