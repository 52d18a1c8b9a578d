using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Workflow;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace DeployRunner.Tests.Running;

/// <summary>The status lifecycle, with the GitHub port and the handler substituted.</summary>
public sealed class DeploymentRunnerTests
{
    private readonly IGitHubDeployments _github = Substitute.For<IGitHubDeployments>();
    private readonly IWorkflowLog _log = Substitute.For<IWorkflowLog>();
    private readonly IDeploymentHandler _handler = Substitute.For<IDeploymentHandler>();
    private readonly List<DeploymentStatusUpdate> _posted = [];

    public DeploymentRunnerTests()
    {
        _github.PostStatusAsync(Arg.Any<string>(), Arg.Any<long>(), Arg.Do<DeploymentStatusUpdate>(_posted.Add), Arg.Any<CancellationToken>())
            .Returns(Task.CompletedTask);
    }

    private static DeploymentPlan Plan(string task = "deploy", TimeSpan? timeout = null)
    {
        var deployment = new Deployment(42, "0123456789abcdef", "main", task, "staging", "staging", null, false, false, DeploymentPayload.None);
        return new DeploymentPlan(deployment, "o/r", "shell", "true", "/tmp", "https://app.example.com",
            timeout ?? TimeSpan.FromMinutes(1), SkipSuperseded: true, DeploymentVariables.For(deployment, "o/r"));
    }

    private DeploymentRunner Runner(ShutdownBudget? budget = null, TimeProvider? time = null) =>
        new(_github, _log, WorkflowFiles.None, time ?? TimeProvider.System, "https://github.com/o/r/actions/runs/1", budget);

    private IEnumerable<DeploymentState> States => _posted.Select(p => p.State);

    [Fact]
    public async Task A_successful_deployment_posts_in_progress_then_success_with_the_url()
    {
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Succeeded("ok"));

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Deployed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Success], States);
        Assert.Equal("https://app.example.com", _posted[1].EnvironmentUrl);
        Assert.Null(_posted[0].EnvironmentUrl);
        Assert.All(_posted, p => Assert.Equal("https://github.com/o/r/actions/runs/1", p.LogUrl));
    }

    [Fact]
    public async Task A_failed_deployment_posts_failure_and_exits_1()
    {
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Failed("The script exited with code 2."));

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Failure], States);
        Assert.Contains("code 2", _posted[1].Description);
    }

    [Fact]
    public async Task A_successful_removal_ends_inactive()
    {
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Succeeded("ok"));

        await Runner().RunAsync(Plan("remove"), _handler, CancellationToken.None);

        Assert.Equal([DeploymentState.InProgress, DeploymentState.Inactive], States);
    }

    [Fact]
    public async Task A_handler_that_throws_still_ends_in_error()
    {
        _handler.RunAsync(default!, default).ThrowsAsyncForAnyArgs(new InvalidOperationException("boom"));

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Error], States);
        Assert.Contains("boom", _posted[1].Description);
    }

    [Fact]
    public async Task A_handler_that_ignores_cancellation_cannot_keep_the_deployment_in_progress()
    {
        var never = new TaskCompletionSource<HandlerResult>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(_ =>
        {
            started.TrySetResult();
            return never.Task;
        });
        using var shutdown = new CancellationTokenSource();
        var time = new FakeTimeProvider();

        var run = Runner(new ShutdownBudget(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2)), time).RunAsync(Plan(), _handler, shutdown.Token);
        await started.Task;
        await shutdown.CancelAsync();
        // The fake clock moves on in steps; each real pause lets the runner's continuations run.
        var clock = TimeSpan.Zero;
        while (!run.IsCompleted && clock < TimeSpan.FromSeconds(5))
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            clock += TimeSpan.FromMilliseconds(50);
            await Task.WhenAny(run, Task.Delay(10));
        }

        Assert.True(run.IsCompleted, "The runner still waits for the handler 5 s (fake clock) after the cancel.");
        var exit = await run;
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Error], States);
        Assert.Contains("cancelled", _posted[1].Description);
        Assert.True(clock >= TimeSpan.FromMilliseconds(300), $"It gave up after {clock.TotalMilliseconds} ms, before the 300 ms stop budget.");
        Assert.True(clock < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_deployment_past_its_timeout_ends_in_error()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(async call =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, call.Arg<CancellationToken>());
            return HandlerResult.Succeeded("unreachable");
        });
        var time = new FakeTimeProvider();

        var run = Runner(time: time).RunAsync(Plan(timeout: TimeSpan.FromMilliseconds(100)), _handler, CancellationToken.None);
        await started.Task;
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(run.IsCompleted, "The deployment ended before its timeout.");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await run;

        Assert.Equal([DeploymentState.InProgress, DeploymentState.Error], States);
        Assert.Contains("timed out", _posted[1].Description);
    }

    [Fact]
    public async Task When_in_progress_cannot_be_posted_the_work_does_not_start()
    {
        _github.PostStatusAsync(default!, default, default!, default).ThrowsAsyncForAnyArgs(new GitHubApiException("Could not post: forbidden", mayHaveTakenEffect: false));

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        await _handler.DidNotReceiveWithAnyArgs().RunAsync(default!, default);
        _log.Received().Error("Could not post: forbidden", Arg.Any<string>());
    }

    [Fact]
    public async Task When_the_final_status_cannot_be_posted_the_step_fails_and_says_so()
    {
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Succeeded("ok"));
        var calls = 0;
        _github.PostStatusAsync(default!, default, default!, default).ReturnsForAnyArgs(_ =>
            ++calls == 1 ? Task.CompletedTask : Task.FromException(new GitHubApiException("GitHub answered 500")));

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        _log.Received().Error(Arg.Is<string>(m => m.Contains("`success` status could not be posted")), Arg.Any<string>());
    }

    [Fact]
    public async Task When_the_answer_to_in_progress_is_lost_nothing_starts_and_the_deployment_is_closed_with_error()
    {
        var calls = 0;
        _github.PostStatusAsync(default!, default, default!, default).ReturnsForAnyArgs(_ =>
            ++calls == 1 ? Task.FromException(new GitHubApiException("Could not post: no answer")) : Task.CompletedTask);
        _posted.Clear(); // configuring the call above called it once with default arguments

        var exit = await Runner().RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Error], _posted.Select(p => p.State).ToArray());
        Assert.Contains("could not confirm `in_progress`", _posted[1].Description);
        await _handler.DidNotReceiveWithAnyArgs().RunAsync(default!, default);
    }

    [Fact]
    public async Task The_state_records_each_intent_before_its_request_and_each_confirmation_after()
    {
        var statePath = Path.GetTempFileName();
        try
        {
            var lines = new List<string>();
            _github.PostStatusAsync(default!, default, default!, default).ReturnsForAnyArgs(_ =>
            {
                lines.Add(File.ReadAllLines(statePath).Last());
                return Task.CompletedTask;
            });
            _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Succeeded("ok"));
            var runner = new DeploymentRunner(_github, _log, new WorkflowFiles(null, statePath, null), TimeProvider.System, null);

            await runner.RunAsync(Plan(), _handler, CancellationToken.None);

            Assert.Equal(["deployment-42=posting:in_progress", "deployment-42=posting:success"], lines);
            Assert.Equal((42L, "posted:success"), PostStep.Records(KeyValues(statePath)).Single());
        }
        finally
        {
            File.Delete(statePath);
        }
    }

    [Fact]
    public async Task A_state_file_that_cannot_be_written_is_a_warning_and_the_statuses_still_go_out()
    {
        _handler.RunAsync(default!, default).ReturnsForAnyArgs(HandlerResult.Succeeded("ok"));
        var runner = new DeploymentRunner(_github, _log, new WorkflowFiles("/dev/full", "/dev/full", "/dev/full"), TimeProvider.System, null);

        var exit = await runner.RunAsync(Plan(), _handler, CancellationToken.None);

        Assert.Equal(ExitCodes.Deployed, exit);
        Assert.Equal([DeploymentState.InProgress, DeploymentState.Success], States);
        _log.Received(1).Warning(Arg.Is<string>(m => m.StartsWith("Could not write GITHUB_STATE", StringComparison.Ordinal)));
    }

    private static Dictionary<string, string> KeyValues(string path) =>
        File.ReadAllLines(path).Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
}
