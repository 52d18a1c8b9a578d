using DeployRunner.Edge;
using DeployRunner.GitHub;
using DeployRunner.Running;
using DeployRunner.Workflow;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace DeployRunner.Tests.Running;

/// <summary>The post step's decision: post <c>error</c> only for a deployment left in progress.</summary>
public sealed class PostStepTests
{
    private const string LogUrl = "https://github.com/o/r/actions/runs/1";
    private readonly IGitHubDeployments _github = Substitute.For<IGitHubDeployments>();
    private readonly IWorkflowLog _log = Substitute.For<IWorkflowLog>();
    private readonly List<(long Id, DeploymentStatusUpdate Status)> _posted = [];

    public PostStepTests()
    {
        _github.PostStatusAsync("o/r", Arg.Any<long>(), Arg.Any<DeploymentStatusUpdate>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                _posted.Add((call.ArgAt<long>(1), call.ArgAt<DeploymentStatusUpdate>(2)));
                return Task.CompletedTask;
            });
    }

    private Task<int> RunAsync(params (string Name, string Value)[] variables) =>
        new PostStep(_github, _log, LogUrl).RunAsync("o/r", PostStep.ReadState(variables.ToDictionary(v => v.Name, v => v.Value)), CancellationToken.None);

    [Fact]
    public async Task A_deployment_left_in_progress_gets_an_error_status()
    {
        var exit = await RunAsync(("STATE_deployment-id", "9007199254740993"), ("STATE_posted", "in_progress"), ("INPUT_TOKEN", "t"));

        Assert.Equal(ExitCodes.Deployed, exit);
        var (id, status) = Assert.Single(_posted);
        Assert.Equal(9007199254740993, id);
        Assert.Equal(new DeploymentStatusUpdate(DeploymentState.Error, "The runner stopped before it could report a result.", LogUrl), status);
    }

    [Theory]
    [InlineData("success")]
    [InlineData("failure")]
    [InlineData("error")]
    [InlineData("inactive")]
    public async Task A_deployment_that_already_ended_is_left_alone(string posted)
    {
        var exit = await RunAsync(("STATE_deployment-id", "42"), ("STATE_posted", posted));

        Assert.Equal(ExitCodes.Deployed, exit);
        Assert.Empty(_posted);
    }

    [Fact]
    public async Task Without_saved_state_the_main_step_started_nothing_and_nothing_is_posted()
    {
        Assert.Equal(ExitCodes.Deployed, await RunAsync(("INPUT_TOKEN", "t")));
        Assert.Empty(_posted);
    }

    [Fact]
    public async Task A_garbled_deployment_id_posts_nothing_and_fails_the_step()
    {
        Assert.Equal(ExitCodes.Failed, await RunAsync(("STATE_deployment-id", "42; rm -rf /"), ("STATE_posted", "in_progress")));
        Assert.Empty(_posted);
    }

    [Fact]
    public async Task An_api_failure_is_one_error_line_and_a_failed_step()
    {
        _github.PostStatusAsync(default!, default, default!, default).ThrowsAsyncForAnyArgs(new GitHubApiException("Could not post: 500."));

        Assert.Equal(ExitCodes.Failed, await RunAsync(("STATE_deployment-id", "42"), ("STATE_posted", "in_progress")));
        _log.Received(1).Error(Arg.Is<string>(m => m.Contains("Could not post: 500.")), Arg.Any<string?>());
    }

    [Theory]
    [InlineData("/usr/local/bin/deploy-runner-post", new string[0], true)]
    [InlineData("deploy-runner-post", new string[0], true)]
    [InlineData("/usr/local/bin/deploy-runner", new[] { "--post" }, true)]
    [InlineData("/usr/local/bin/deploy-runner", new string[0], false)]
    [InlineData("/usr/local/bin/deploy-runner", new[] { "--script", "--post" }, false)]
    [InlineData(null, new string[0], false)]
    public void The_post_step_is_recognised_by_the_name_it_is_started_under(string? invokedAs, string[] arguments, bool isPost) =>
        Assert.Equal(isPost, CommandLine.IsPostStep(invokedAs, arguments));

    [Theory]
    [InlineData("posting:in_progress", "in_progress", true)]
    [InlineData("posting:success", "in_progress", true)]
    [InlineData("posting:success", "success", false)]
    [InlineData("posting:inactive", "failure", false)]
    [InlineData("posting:in_progress", null, false)]
    [InlineData("posting:in_progress", "pending", false)]
    public async Task An_unconfirmed_request_is_checked_against_the_latest_status_and_a_terminal_one_is_never_overwritten(string record, string? latest, bool closes)
    {
        _github.ListStatusesAsync("o/r", 7, 1, Arg.Any<CancellationToken>())
            .Returns(latest is null ? [] : [new DeploymentStatusRecord(1, latest, null)]);

        var exit = await RunAsync(("STATE_deployment-7", record));

        Assert.Equal(ExitCodes.Deployed, exit);
        Assert.Equal(closes ? [(7L, DeploymentState.Error)] : [], _posted.Select(p => (p.Id, p.Status.State)));
    }

    [Fact]
    public async Task Every_deployment_of_a_teardown_left_open_is_closed_and_the_finished_ones_are_left_alone()
    {
        _github.ListStatusesAsync("o/r", Arg.Any<long>(), 1, Arg.Any<CancellationToken>())
            .Returns([new DeploymentStatusRecord(1, "in_progress", null)]);

        var exit = await RunAsync(("STATE_deployment-1", "posting:inactive"), ("STATE_deployment-2", "posted:inactive"), ("STATE_deployment-3", "posted:in_progress"),
            ("STATE_deployment-id", "2"), ("STATE_posted", "inactive"));

        Assert.Equal(ExitCodes.Deployed, exit);
        Assert.Equal([1L, 3L], _posted.Select(p => p.Id));
    }
}
