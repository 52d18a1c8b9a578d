using System.Text.Json.Nodes;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Handlers.Shell;
using DeployRunner.Inputs;
using DeployRunner.Planning;

namespace DeployRunner.Tests.Planning;

public sealed class DeploymentVariablesTests
{
    private static Deployment Deployment(DeploymentPayload payload, string task = "deploy") =>
        new(77, "cafe", "refs/heads/x", task, "pr9", null, null, true, false, payload);

    [Fact]
    public void Every_deployment_value_has_its_variable()
    {
        var variables = DeploymentVariables.For(Deployment(DeploymentPayload.None), "o/r");

        Assert.Equal("77", variables["DEPLOY_ID"]);
        Assert.Equal("deploy", variables["DEPLOY_TASK"]);
        Assert.Equal("pr9", variables["DEPLOY_ENVIRONMENT"]);
        Assert.Equal("refs/heads/x", variables["DEPLOY_REF"]);
        Assert.Equal("cafe", variables["DEPLOY_SHA"]);
        Assert.Equal("o/r", variables["DEPLOY_REPOSITORY"]);
        Assert.Equal("true", variables["DEPLOY_TRANSIENT"]);
        Assert.Equal("false", variables["DEPLOY_PRODUCTION"]);
        Assert.Equal("", variables["DEPLOY_PAYLOAD"]);
    }

    [Fact]
    public void Top_level_scalars_of_the_payload_become_DEPLOY_PAYLOAD_variables()
    {
        var payload = DeploymentPayload.FromObject(new JsonObject { ["target"] = "web", ["image-tag"] = "v1", ["n"] = 2, ["list"] = new JsonArray(1) });

        var variables = DeploymentVariables.For(Deployment(payload), "o/r");

        Assert.Equal("web", variables["DEPLOY_PAYLOAD_TARGET"]);
        Assert.Equal("v1", variables["DEPLOY_PAYLOAD_IMAGE_TAG"]);
        Assert.Equal("2", variables["DEPLOY_PAYLOAD_N"]);
        Assert.False(variables.ContainsKey("DEPLOY_PAYLOAD_LIST"));
    }

    [Theory]
    [InlineData("target", "TARGET")]
    [InlineData("image.tag", "IMAGE_TAG")]
    [InlineData("ünï", "_N_")]
    [InlineData("a b$c", "A_B_C")]
    public void Keys_become_safe_variable_names(string key, string name) =>
        Assert.Equal(name, DeploymentVariables.VariableName(key));
}

public sealed class DeploymentPlannerTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("planner-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private RunnerEnvironment Environment() => RunnerEnvironment.From(
        new Dictionary<string, string> { ["GITHUB_WORKSPACE"] = _workspace, ["GITHUB_RUN_ID"] = "5", ["GITHUB_REPOSITORY"] = "o/fallback" }, "/");

    private static DeploymentEvent Event(string task = "deploy", string repository = "o/r", bool transient = false, bool production = false) =>
        new(null, new Deployment(1, "sha", "main", task, "staging", null, null, transient, production, DeploymentPayload.None), repository);

    [Fact]
    public void The_remove_task_takes_the_remove_script_and_others_the_script()
    {
        var inputs = InputSet.Of(("script", "deploy"), ("remove-script", "remove"));

        Assert.Equal("deploy", DeploymentPlanner.Create(Event(), inputs, Environment()).Script);
        Assert.Equal("deploy", DeploymentPlanner.Create(Event("deploy:migrations"), inputs, Environment()).Script);
        Assert.Equal("remove", DeploymentPlanner.Create(Event("remove", transient: true), inputs, Environment()).Script);
    }

    [Theory]
    [InlineData(true, true, "true")]
    [InlineData(false, true, "true")]
    [InlineData(true, true, "false")]
    public void Removing_a_production_environment_is_refused_whatever_the_opt_in(bool transient, bool production, string optIn)
    {
        var error = Assert.Throws<ConfigurationException>(() => DeploymentPlanner.Create(Event("remove", transient: transient, production: production), InputSet.Of(("remove-non-transient", optIn)), Environment()));
        Assert.Contains("production_environment", error.Message);
    }

    [Fact]
    public void Removing_a_non_transient_environment_needs_the_opt_in()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeploymentPlanner.Create(Event("REMOVE"), InputSet.Empty, Environment()));
        Assert.Contains("`remove-non-transient: true`", error.Message);

        Assert.True(DeploymentPlanner.Create(Event("remove"), InputSet.Of(("remove-non-transient", "true")), Environment()).IsRemoval);
        // Deploying a production environment is what it is for.
        Assert.False(DeploymentPlanner.Create(Event(production: true), InputSet.Empty, Environment()).IsRemoval);
    }

    [Fact]
    public void A_working_directory_that_leaves_the_workspace_by_dots_or_by_a_link_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_workspace, "apps", "web"));
        Directory.CreateSymbolicLink(Path.Combine(_workspace, "apps", "out"), "/");

        Assert.Equal(Path.Combine(WorkspacePaths.RealPath(_workspace), "apps", "web"), DeploymentPlanner.Create(Event(), InputSet.Of(("working-directory", "apps/x/../web")), Environment()).WorkingDirectory);
        foreach (var escape in new[] { "../..", "apps/../../", "/root", "apps/out", "apps/out/root" })
        {
            var error = Assert.Throws<ConfigurationException>(() => DeploymentPlanner.Create(Event(), InputSet.Of(("working-directory", escape)), Environment()));
            Assert.Contains("outside the workspace", error.Message);
        }
    }

    [Fact]
    public void Defaults_are_the_shell_handler_the_workspace_and_30_minutes()
    {
        var plan = DeploymentPlanner.Create(Event(), InputSet.Empty, Environment());

        Assert.Equal("shell", plan.HandlerName);
        Assert.Equal(_workspace, plan.WorkingDirectory);
        Assert.Equal(TimeSpan.FromMinutes(30), plan.Timeout);
        Assert.Null(plan.Script);
    }

    [Fact]
    public void The_repository_falls_back_to_GITHUB_REPOSITORY()
    {
        Assert.Equal("o/fallback", DeploymentPlanner.Create(Event(repository: ""), InputSet.Empty, Environment()).Repository);
    }

    [Fact]
    public void The_log_url_points_at_the_workflow_run()
    {
        Assert.Equal("https://github.com/o/r/actions/runs/5", Environment().LogUrl("o/r"));
    }
}

public sealed class ScriptEnvironmentTests
{
    [Fact]
    public void Runner_secrets_are_removed_and_deployment_values_added()
    {
        var deployment = new Deployment(1, "sha", "main", "deploy", "staging", null, null, false, false, DeploymentPayload.None);
        var plan = new DeploymentPlan(deployment, "o/r", "shell", "true", "/", null, TimeSpan.FromMinutes(1), SkipSuperseded: true, DeploymentVariables.For(deployment, "o/r"));
        var job = new Dictionary<string, string>
        {
            ["INPUT_TOKEN"] = "t",
            ["INPUT_SSH-KEY"] = "k",
            ["ACTIONS_RUNTIME_TOKEN"] = "r",
            ["GITHUB_TOKEN"] = "g",
            ["STATE_posted"] = "x",
            ["GITHUB_SHA"] = "keep",
            ["PATH"] = "/bin",
        };

        var changes = ShellHandler.ScriptEnvironment(plan, new Dictionary<string, string> { ["KUBECONFIG"] = "/tmp/k" }, ChildEnvironment.From(job));

        foreach (var removed in new[] { "INPUT_TOKEN", "INPUT_SSH-KEY", "ACTIONS_RUNTIME_TOKEN", "GITHUB_TOKEN", "STATE_posted" })
            Assert.Null(changes[removed]);
        Assert.False(changes.ContainsKey("GITHUB_SHA"));
        Assert.False(changes.ContainsKey("PATH"));
        Assert.Equal("staging", changes["DEPLOY_ENVIRONMENT"]);
        Assert.Equal("/tmp/k", changes["KUBECONFIG"]);
    }

    [Fact]
    public void A_handler_is_handed_the_job_environment_already_without_runner_secrets()
    {
        var job = new Dictionary<string, string> { ["INPUT_SSH-KEY"] = "k", ["GITHUB_TOKEN"] = "g", ["PATH"] = "/bin" };

        var context = new HandlerContext(new RecordingLog(), job, "/", TimeProvider.System);

        Assert.Equal(["PATH"], context.Environment.Variables.Keys);
        Assert.Equal(["GITHUB_TOKEN", "INPUT_SSH-KEY"], context.Environment.Removals.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("INPUT_X", true)]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("GITHUB_REPOSITORY", false)]
    [InlineData("HOME", false)]
    public void Runner_secrets_are_recognised(string name, bool secret) =>
        Assert.Equal(secret, HandlerContext.IsRunnerSecret(name));
}

public sealed class CommandLineTests
{
    [Fact]
    public void The_event_path_is_taken_out_and_the_rest_are_inputs()
    {
        var run = Assert.IsType<Invocation.Run>(CommandLine.Parse(["--script", "x", "--event", "e.json", "--dry-run"]));

        Assert.Equal("e.json", run.EventPath);
        Assert.Equal(new Dictionary<string, string> { ["script"] = "x", ["dry-run"] = "true" }, run.Inputs);
    }

    [Fact]
    public void A_dangling_event_flag_is_a_clear_error() =>
        Assert.Throws<ConfigurationException>(() => CommandLine.Parse(["--event"]));

    [Fact]
    public void A_value_that_starts_with_dashes_is_still_a_value()
    {
        var run = Assert.IsType<Invocation.Run>(CommandLine.Parse(["--ssh-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc", "--dry-run", "false"]));

        Assert.Equal(new Dictionary<string, string> { ["ssh-key"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc", ["dry-run"] = "false" }, run.Inputs);
    }

    [Fact]
    public void A_stray_argument_is_a_clear_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => CommandLine.Parse(["deploy.sh"]));
        Assert.Contains("--name value", error.Message);
    }
}
