using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Handlers.Kubectl;
using DeployRunner.Handlers.Ssh.Releases;
using DeployRunner.Health;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using NSubstitute;

namespace DeployRunner.Tests.Planning;

/// <summary>
/// The plan carries typed settings, each parsed once: the core ones in <see cref="DeploymentPlan"/>,
/// the handler's own in the handler (which the dry run asks, instead of reading the inputs again).
/// </summary>
public sealed class TypedPlanTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("typed-plan-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private DeploymentPlan Plan(InputSet inputs, string task = "deploy") => DeploymentPlanner.Create(
        new DeploymentEvent(null, new Deployment(1, "sha", "main", task, "staging", null, null, true, false, DeploymentPayload.None), "o/r"),
        inputs,
        RunnerEnvironment.From(new Dictionary<string, string> { ["GITHUB_WORKSPACE"] = _workspace }, "/"));

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void Skip_superseded_is_parsed_into_the_plan_with_its_default(string? text, bool expected)
    {
        var inputs = text is null ? InputSet.Empty : InputSet.Of(("skip-superseded", text));

        Assert.Equal(expected, Plan(inputs).SkipSuperseded);
    }

    [Fact]
    public void A_bad_skip_superseded_is_a_planning_error_that_names_the_setting()
    {
        var error = Assert.Throws<ConfigurationException>(() => Plan(InputSet.Of(("skip-superseded", "maybe"))));

        Assert.Equal("skip-superseded", error.Setting);
        Assert.Contains("`skip-superseded` must be `true` or `false`", error.Message);
    }

    [Fact]
    public void The_kubectl_dry_run_says_atomic_from_the_flag_it_is_given()
    {
        var plan = Plan(InputSet.Empty);

        Assert.StartsWith("Atomic: on.", Assert.Single(KubectlDryRun.Lines(plan, atomic: true)));
        Assert.StartsWith("Atomic: off.", Assert.Single(KubectlDryRun.Lines(plan, atomic: false)));
        Assert.Empty(KubectlDryRun.Lines(Plan(InputSet.Of(("remove-non-transient", "true")), task: "remove"), atomic: true));
    }

    [Fact]
    public void The_release_dry_run_says_nothing_without_release_settings()
    {
        Assert.Empty(ReleaseDryRun.Describe(Plan(InputSet.Empty), releases: null));
    }

    [Fact]
    public void A_health_checked_handler_passes_on_its_handlers_dry_run_notes()
    {
        var plan = Plan(InputSet.Empty);
        var inner = Substitute.For<IDeploymentHandler>();
        DryRunNote[] notes = [new("Atomic: on.", Untrusted: false), new("Phase one", Untrusted: true)];
        inner.DryRunNotes(plan).Returns(notes);
        var context = new HandlerContext(new RecordingLog(), ChildEnvironment.Empty, _workspace, TimeProvider.System);

        var wrapped = HealthCheckedHandler.Wrap(inner, InputSet.Of(("health-check-url", "https://app.example.com/up")), context);

        Assert.IsType<HealthCheckedHandler>(wrapped);
        Assert.Equal(notes, wrapped.DryRunNotes(plan));
    }
}
