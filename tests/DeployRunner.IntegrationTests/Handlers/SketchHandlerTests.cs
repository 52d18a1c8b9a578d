using System.Net;
using System.Net.Sockets;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.IntegrationTests.Handlers.Sketch;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Workflow;

namespace DeployRunner.IntegrationTests.Handlers;

/// <summary>
/// What every handler gets without asking: a sketch handler that only declares itself
/// (<see cref="EchoDefinition"/>) is health-checked, refuses <c>atomic</c> and shows the health
/// check in its dry run, because <see cref="HandlerCatalog"/> applies them from its definition.
/// Its statuses go to the fake GitHub API over HTTP through the runner's Octokit port.
/// </summary>
public sealed class SketchHandlerTests : IAsyncLifetime
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("sketch-handler-").FullName;
    private readonly StringWriter _output = new();
    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_workspace, recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_sketch_handler_with_an_unreachable_health_check_url_ends_in_failure_not_success()
    {
        var inputs = InputSet.Of(("handler", "echo"), ("script", "true"), ("health-check-url", $"http://127.0.0.1:{ClosedPort()}/up"), ("health-check-timeout", "2s"));
        var (plan, handler) = Prepare(inputs);

        var exit = await Runner().RunAsync(plan, handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal(["in_progress", "failure"], _api.States);
        Assert.Contains("health check", _api.Statuses[^1].Description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("echo: staging", _output.ToString());
    }

    [Fact]
    public void A_sketch_handler_refuses_atomic_true_before_anything_runs()
    {
        var inputs = InputSet.Of(("handler", "echo"), ("script", "true"), ("atomic", "true"));

        var error = Assert.Throws<ConfigurationException>(() => Prepare(inputs));

        Assert.Equal("atomic", error.Setting);
        Assert.Contains("the echo handler would ignore it", error.Message);
        Assert.Empty(_api.Statuses);
        Assert.DoesNotContain("echo: staging", _output.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_sketch_handler_dry_run_shows_the_health_check_after_its_own_plan()
    {
        var inputs = InputSet.Of(("handler", "echo"), ("script", "true"), ("health-check-url", "https://staging.example.com/up"), ("health-check-timeout", "30s"));
        var (plan, handler) = Prepare(inputs);

        await DryRun.PrintAsync(new PreparedDeployment(plan, handler), Log(), CancellationToken.None);

        var text = _output.ToString();
        Assert.Contains("Echo: one line.", text);
        Assert.Contains("Health check: https://staging.example.com/up must answer 2xx within 30 s of the deploy.", text);
        Assert.True(text.IndexOf("Echo: one line.", StringComparison.Ordinal) < text.IndexOf("Health check:", StringComparison.Ordinal));
        Assert.Empty(_api.Statuses);
    }

    [Fact]
    public void A_sketch_handler_with_a_missing_program_is_refused_by_name()
    {
        var definition = EchoDefinition.Definition with { Programs = ["echo-tool-that-is-not-installed"] };
        var context = new HandlerContext(Log(), new Dictionary<string, string> { ["PATH"] = _workspace }, _workspace, TimeProvider.System);

        var error = Assert.Throws<ConfigurationException>(() => HandlerCatalog.Create(definition, InputSet.Empty, context));

        Assert.Contains("echo-tool-that-is-not-installed", error.Message);
    }

    private IWorkflowLog Log() => new ConsoleWorkflowLog(TextWriter.Synchronized(_output), debugEnabled: false);

    /// <summary>As <see cref="DeploymentPreparer"/> does, with the sketch's definition instead of one looked up by name.</summary>
    private (DeploymentPlan Plan, IDeploymentHandler Handler) Prepare(InputSet inputs)
    {
        var jobEnvironment = new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "" };
        var deploymentEvent = DeploymentEventReader.Parse(WebhookEvents.Deployment());
        var plan = DeploymentPlanner.Create(deploymentEvent, inputs, RunnerEnvironment.From(jobEnvironment, _workspace));
        var handler = HandlerCatalog.Create(EchoDefinition.Definition, inputs, new HandlerContext(Log(), jobEnvironment, _workspace, TimeProvider.System));
        handler.CheckPlan(plan, CancellationToken.None);
        return (plan, handler);
    }

    private DeploymentRunner Runner() =>
        new(new OctokitGitHubDeployments(new Uri(_api.BaseUrl), "token", new SocketsHttpHandler()), Log(), WorkflowFiles.None, TimeProvider.System, "https://github.com/octocat/hello-world/actions/runs/1");

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
