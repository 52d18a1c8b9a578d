using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;

namespace DeployRunner.ContainerTests.Infrastructure;

/// <summary>
/// Starts the image the way the Actions runner starts a Docker action (actions/runner
/// ContainerActionHandler, PLATFORM.md §1): --workdir /github/workspace, the four mounts plus the
/// docker socket, variables passed by name (`-e NAME`, values in the CLI's environment, as the
/// runner does), no -t, no -i, no --init. --network host reaches the fake API on 127.0.0.1.
/// </summary>
public sealed class ActionContainer
{
    public ActionContainer(string image, RunnerLayout layout, IReadOnlyDictionary<string, string> variables, string? entrypoint = null)
    {
        Image = image;
        Layout = layout;
        Variables = variables;
        Entrypoint = entrypoint;
        Name = "deployrunner-test-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Image { get; }
    public RunnerLayout Layout { get; }
    public IReadOnlyDictionary<string, string> Variables { get; }
    public string? Entrypoint { get; }
    public string Name { get; }

    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string> { "run", "--name", Name, "--rm", "--workdir", "/github/workspace", "--network", "host" };
        foreach (var name in Variables.Keys.Order(StringComparer.Ordinal)) arguments.AddRange(["-e", name]);
        arguments.AddRange([
            "-v", "/var/run/docker.sock:/var/run/docker.sock",
            "-v", $"{Layout.Home}:/github/home",
            "-v", $"{Layout.Workflow}:/github/workflow",
            "-v", $"{Layout.FileCommands}:/github/file_commands",
            "-v", $"{Layout.Workspace}:/github/workspace",
        ]);
        if (Entrypoint is not null) arguments.AddRange(["--entrypoint", Entrypoint]);
        arguments.Add(Image);
        return arguments;
    }

    /// <summary>Starts `docker run` and returns its task; the result holds its exit code and both streams.</summary>
    public Task<BufferedCommandResult> StartAsync(CancellationToken cancellationToken)
    {
        var environment = Variables.ToDictionary(pair => pair.Key, pair => (string?)pair.Value);
        return Cli.Wrap("docker")
            .WithArguments(Arguments())
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken)
            .Task;
    }

    public async Task<BufferedCommandResult> RunAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await StartAsync(cts.Token);
        }
        finally
        {
            await RemoveAsync();
        }
    }

    /// <summary>Best effort: a test that failed halfway leaves no container behind.</summary>
    public async Task RemoveAsync()
    {
        if (await Docker.ContainerExistsAsync(Name)) await Docker.RunAsync(["rm", "-f", Name]);
    }

    public static string Describe(BufferedCommandResult result) =>
        $"exit {result.ExitCode}\n--- stdout ---\n{result.StandardOutput}\n--- stderr ---\n{result.StandardError}";

    public static async Task<T> TimedAsync<T>(Func<Task<T>> action, Action<TimeSpan> elapsed)
    {
        var watch = Stopwatch.StartNew();
        var result = await action();
        elapsed(watch.Elapsed);
        return result;
    }
}
