using System.Collections;
using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Workflow;

namespace DeployRunner.TestKit;

/// <summary>
/// One workspace, one fake cluster, and the real kubectl: runs the kubectl handler in-process
/// through the runner's <see cref="DeploymentRunner"/> (statuses recorded, outputs and summary
/// written to files), as Program would wire it.
/// </summary>
internal sealed class KubectlScenario : IAsyncDisposable
{
    private KubectlScenario(FakeKubernetesApi cluster, string workspace)
    {
        Cluster = cluster;
        Workspace = workspace;
    }

    /// <summary>The commit every scenario deploys.</summary>
    public const string Sha = "a5c3785ed8d6a35868bc169f07e40e889087fd2e";

    public FakeKubernetesApi Cluster { get; }

    public string Workspace { get; }

    public static async Task<KubectlScenario> StartAsync()
    {
        RequireKubectl();
        var cluster = await FakeKubernetesApi.StartAsync();
        return new KubectlScenario(cluster, Directory.CreateTempSubdirectory("kubectl-workspace-").FullName);
    }

    /// <summary>Fails with a clear message when kubectl is missing (tests/run.sh has it; CI must not skip).</summary>
    public static void RequireKubectl()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':').Any(dir => File.Exists(Path.Combine(dir, "kubectl"))))
            Assert.Fail("kubectl is not on PATH: these tests drive the real kubectl binary. Install it (tests/run.sh documents how).");
    }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Workspace, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The inputs every test starts from: this cluster's kubeconfig and a namespace.</summary>
    public Dictionary<string, string> Inputs(string ns = "pr-1", string manifests = "k8s/") => new(StringComparer.Ordinal)
    {
        ["handler"] = "kubectl",
        ["kubeconfig"] = Cluster.Kubeconfig(),
        ["namespace"] = ns,
        ["manifests"] = manifests,
        ["rollout-timeout"] = "20s",
    };

    public async Task<ScenarioResult> RunAsync(
        IReadOnlyDictionary<string, string> inputs,
        string task = "deploy",
        string environment = "pr-1",
        JsonObject? payload = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var jobEnvironment = JobEnvironment();
        var inputSet = InputSet.Of([.. inputs.Select(pair => (pair.Key, pair.Value))]);
        var deploymentEvent = DeploymentEventReader.Parse(EventJson(task, environment, payload));
        var environmentRecord = RunnerEnvironment.From(jobEnvironment, Workspace);
        var output = new StringWriter();
        var log = new ConsoleWorkflowLog(TextWriter.Synchronized(output), debugEnabled: false);
        // The runner's own masking, as Program does it.
        SettingCatalog.MaskSecrets(inputSet, log);

        // As Program does: settings resolved (placeholders such as {environment} filled in), plan, handler.
        var context = new HandlerContext(log, jobEnvironment, Workspace, TimeProvider.System);
        var preparer = new DeploymentPreparer(inputSet.With("timeout", $"{(int)(timeout ?? TimeSpan.FromSeconds(90)).TotalSeconds}s"), environmentRecord, context);
        var (plan, handler) = await preparer.PrepareAsync(deploymentEvent, cancellationToken);

        var files = Directory.CreateTempSubdirectory("kubectl-files-").FullName;
        var github = new RecordingDeployments();
        var runner = new DeploymentRunner(github, log, new WorkflowFiles(Path.Combine(files, "output"), Path.Combine(files, "state"), Path.Combine(files, "summary")), TimeProvider.System, "https://github.com/octocat/hello-world/actions/runs/1");
        var exitCode = await runner.RunAsync(plan, handler, cancellationToken);
        var result = new ScenarioResult(
            exitCode,
            github.States,
            github.Descriptions,
            output.ToString(),
            ReadOrEmpty(Path.Combine(files, "output")),
            ReadOrEmpty(Path.Combine(files, "summary")));
        Directory.Delete(files, recursive: true);
        return result;
    }

    /// <summary>Creates the handler only: for inputs that must be refused before anything runs.</summary>
    public ConfigurationException Refuse(IReadOnlyDictionary<string, string> inputs, Dictionary<string, string>? jobEnvironment = null)
    {
        var inputSet = InputSet.Of([.. inputs.Select(pair => (pair.Key, pair.Value))]);
        var log = new ConsoleWorkflowLog(new StringWriter(), debugEnabled: false);
        var context = new HandlerContext(log, jobEnvironment ?? JobEnvironment(), Workspace, TimeProvider.System);
        return Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create("kubectl", inputSet, context));
    }

    public static Dictionary<string, string> JobEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = entry.Value as string ?? "";
        variables.Remove("KUBECONFIG");
        // A runner secret that must never reach kubectl or a script.
        variables["ACTIONS_RUNTIME_TOKEN"] = "runtime-token-never-leaks";
        return variables;
    }

    /// <summary>The review-app deployment every scenario runs (transient, from a feature branch).</summary>
    public static string EventJson(string task, string environment, JsonObject? payload) =>
        WebhookEvents.Deployment(id: 7_000_000_001L, task: task, environment: environment, @ref: "feature/review", sha: Sha, payload: payload, transient: true);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private sealed class RecordingDeployments : IGitHubDeployments
    {
        private readonly List<DeploymentStatusUpdate> _statuses = [];

        public IReadOnlyList<string> States { get { lock (_statuses) return [.. _statuses.Select(s => s.State.ToApiName())]; } }

        public IReadOnlyList<string> Descriptions { get { lock (_statuses) return [.. _statuses.Select(s => s.Description)]; } }

        public Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken)
        {
            lock (_statuses) _statuses.Add(status);
            return Task.CompletedTask;
        }

        // The in-process scenarios run one deployment as given; listing belongs to the core's tests.
        public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(string repository, DeploymentFilter filter, int? limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not list deployments.");

        public Task<Deployment> GetDeploymentAsync(string repository, long deploymentId, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not fetch deployments.");

        public Task<IReadOnlyList<DeploymentStatusRecord>> ListStatusesAsync(string repository, long deploymentId, int? limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not list statuses.");

        public Task<IReadOnlyList<string>> ListPullRequestCommitsAsync(string repository, long number, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not list pull requests' commits.");

        public Task<CreatedDeployment> CreateDeploymentAsync(string repository, NewDeployment deployment, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not create deployments.");

        public Task<string> ResolveCommitAsync(string repository, string gitRef, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The kubectl scenarios do not resolve refs.");
    }
}

/// <summary>What a scenario run left behind.</summary>
public sealed record ScenarioResult(int ExitCode, IReadOnlyList<string> States, IReadOnlyList<string> Descriptions, string Log, string Outputs, string Summary)
{
    public string FinalState => States[^1];
}
