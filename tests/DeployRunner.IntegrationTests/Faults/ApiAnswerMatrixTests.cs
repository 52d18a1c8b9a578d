using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Faults;

/// <summary>Every GitHub API call the runner makes, through the built runner.</summary>
public enum ApiCall
{
    SupersededCheck,
    ExplicitDeployment,
    InProgress,
    FinalStatus,
    PostStepStatusList,
    PostStepError,
    TeardownRefList,
    TeardownShaList,
    TeardownCommits,
    TeardownEnvironmentList,
    TeardownNewestStatus,
    TeardownInProgress,
    TeardownRemovedStatus,
    TeardownOlderInactive,
}

/// <summary>
/// The API failure matrix: every call the runner makes x every way its answer can go wrong
/// (lost, 500, not JSON, past the size bound, another shape; and for a few calls empty, HTML
/// and cut off). Each combination ends with one clear `::error::` (a warning where the post step
/// recovers), never a runner fault or a stack trace; once `in_progress` was posted the
/// deployment ends in a terminal status (the post step included); a teardown goes on to its
/// other environments.
/// </summary>
public sealed class ApiAnswerMatrixTests : FakeApiTest
{
    private const long DeploymentId = 9_100_200_300;
    private const long ExplicitId = 4321;
    private const string Branch = "feature-7";
    private const string ShaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ShaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly AnswerFault[] Required = [AnswerFault.LostAnswer, AnswerFault.ServerError, AnswerFault.MalformedJson, AnswerFault.Oversize, AnswerFault.WrongShape];
    private static readonly AnswerFault[] More = [AnswerFault.EmptyBody, AnswerFault.WrongContentType, AnswerFault.Truncated];
    private static readonly ApiCall[] MoreFor = [ApiCall.SupersededCheck, ApiCall.InProgress, ApiCall.TeardownEnvironmentList, ApiCall.TeardownNewestStatus];

    public static TheoryData<ApiCall, AnswerFault> Cells()
    {
        var cells = new TheoryData<ApiCall, AnswerFault>();
        foreach (var call in Enum.GetValues<ApiCall>())
        {
            foreach (var fault in Required) cells.Add(call, fault);
            if (MoreFor.Contains(call))
                foreach (var fault in More) cells.Add(call, fault);
        }

        return cells;
    }

    private static bool Retried(AnswerFault fault) => fault is AnswerFault.LostAnswer or AnswerFault.ServerError or AnswerFault.Truncated;

    private static string Cause(AnswerFault fault) => fault switch
    {
        AnswerFault.LostAnswer or AnswerFault.Truncated => "failed after 5 attempt(s)",
        AnswerFault.ServerError => "GitHub answered 500",
        AnswerFault.MalformedJson => "not readable JSON",
        AnswerFault.Oversize => "MiB the runner reads of one answer",
        AnswerFault.EmptyBody or AnswerFault.WrongContentType => "no JSON it could read",
        _ => "Could not",
    };

    private static (Func<RecordedRequest, bool> Matches, string What) Target(ApiCall call) => call switch
    {
        ApiCall.SupersededCheck => (FakeGitHubApi.DeploymentList("environment=staging"), "Could not list deployments (environment=staging)"),
        ApiCall.ExplicitDeployment => (FakeGitHubApi.DeploymentGet(ExplicitId), $"Could not get deployment {ExplicitId}"),
        ApiCall.InProgress => (FakeGitHubApi.StatusPost("in_progress"), "Could not post the `in_progress` status"),
        ApiCall.FinalStatus => (FakeGitHubApi.StatusPost("success"), "Could not post the `success` status"),
        ApiCall.PostStepStatusList => (FakeGitHubApi.StatusList(DeploymentId), $"Could not list the statuses of deployment {DeploymentId}"),
        ApiCall.PostStepError => (FakeGitHubApi.StatusPost("error"), "Could not post the `error` status"),
        ApiCall.TeardownRefList => (FakeGitHubApi.DeploymentList($"ref={Branch}"), $"Could not list deployments (ref={Branch})"),
        ApiCall.TeardownShaList => (FakeGitHubApi.DeploymentList("sha="), $"Could not list deployments (sha={ShaB})"),
        ApiCall.TeardownCommits => (FakeGitHubApi.PullRequestCommits(7), "Could not list the commits of pull request #7"),
        ApiCall.TeardownEnvironmentList => (FakeGitHubApi.DeploymentList("environment=pr7-a"), "Could not list deployments (environment=pr7-a)"),
        ApiCall.TeardownNewestStatus => (FakeGitHubApi.StatusList(703), "Could not list the statuses of deployment 703"),
        ApiCall.TeardownInProgress => (FakeGitHubApi.StatusPost("in_progress", 703), "Could not post the `in_progress` status"),
        ApiCall.TeardownRemovedStatus => (FakeGitHubApi.StatusPost("inactive", 703), "Could not post the `inactive` status"),
        ApiCall.TeardownOlderInactive => (FakeGitHubApi.StatusPost("inactive", 701), "Could not post the `inactive` status"),
        _ => throw new ArgumentOutOfRangeException(nameof(call)),
    };

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Cells))]
    public async Task Every_call_with_a_broken_answer_ends_with_a_clear_message_and_a_terminal_status(ApiCall call, AnswerFault fault)
    {
        var (matches, what) = Target(call);
        Api.BreakAnswers(matches, fault, times: Retried(fault) ? 5 : 1);

        var outcome = call.ToString().StartsWith("Teardown", StringComparison.Ordinal) ? await TeardownAsync(call)
            : call.ToString().StartsWith("PostStep", StringComparison.Ordinal) ? await PostStepOnlyAsync(call)
            : await DeployAsync(call);

        var said = outcome.Lines.Where(l => l.Contains(what, StringComparison.Ordinal)).ToList();
        Assert.True(said.Count > 0, $"No line says \"{what}\":\n{outcome.Log}");
        Assert.Contains(said, l => l.Contains(Cause(fault), StringComparison.Ordinal));
        Assert.DoesNotContain(outcome.Lines, l => l.Contains("Runner fault", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    private sealed record Outcome(IReadOnlyList<string> Lines, string Log);

    private async Task<Outcome> DeployAsync(ApiCall call)
    {
        RunnerSandbox sandbox;
        if (call == ApiCall.ExplicitDeployment)
        {
            Api.AddDeployment(WebhookEvents.ApiDeployment(ExplicitId, "qa"));
            var dispatch = new JsonObject { ["inputs"] = new JsonObject(), ["ref"] = "refs/heads/main", ["repository"] = new JsonObject { ["full_name"] = "octocat/hello-world" } };
            sandbox = new RunnerSandbox(dispatch.ToJsonString(), Api).WithEventName("workflow_dispatch").Input("deployment-id", ExplicitId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: DeploymentId), Api);
        }

        using (sandbox)
        {
            sandbox.Input("script", "touch ran");
            var main = await sandbox.RunAsync(TimeSpan.FromSeconds(120));
            // A deployment that cannot be read cannot start (exit 2, as for any input that cannot be used).
            main.ShouldExitWith(call == ApiCall.ExplicitDeployment ? 2 : 1);
            var ran = File.Exists(Path.Combine(sandbox.Workspace, "ran"));
            var lines = main.Lines.ToList();
            switch (call)
            {
                case ApiCall.SupersededCheck or ApiCall.ExplicitDeployment:
                    // The check could not be made (or there is nothing to run): nothing starts.
                    Assert.False(ran);
                    Assert.Empty(Api.Statuses);
                    Assert.Contains(main.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
                    break;
                case ApiCall.InProgress:
                    Assert.False(ran);
                    Assert.Equal("error", Api.LatestState(DeploymentId));
                    break;
                case ApiCall.FinalStatus:
                    Assert.True(ran);
                    var post = await RunPostStepAsync(sandbox, sandbox.State());
                    post.ShouldExitWith(0);
                    lines.AddRange(post.Lines);
                    Assert.Contains(Api.LatestState(DeploymentId), Terminal);
                    break;
            }

            return new Outcome(lines, main.Log);
        }
    }

    private static readonly string[] Terminal = ["success", "failure", "error", "inactive"];

    private async Task<Outcome> PostStepOnlyAsync(ApiCall call)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: DeploymentId), Api);
        Api.AddStatus(DeploymentId, "in_progress");
        // What a main step leaves when it was killed: success about to be posted, or in_progress confirmed.
        var state = new Dictionary<string, string> { [$"deployment-{DeploymentId}"] = call == ApiCall.PostStepStatusList ? "posting:success" : "posted:in_progress" };

        var post = await RunPostStepAsync(sandbox, state);

        if (call == ApiCall.PostStepStatusList)
        {
            // Cannot tell: closed with `error` to be safe.
            post.ShouldExitWith(0);
            Assert.Equal("error", Api.LatestState(DeploymentId));
        }
        else
        {
            // The last word: nothing more can be posted, and the step says so.
            post.ShouldExitWith(1);
            Assert.Contains(post.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("could not be posted", StringComparison.Ordinal));
        }

        return new Outcome(post.Lines, post.Log);
    }

    private static async Task<RunnerResult> RunPostStepAsync(RunnerSandbox sandbox, IReadOnlyDictionary<string, string> state)
    {
        var variables = new Dictionary<string, string>(sandbox.Environment);
        foreach (var (name, value) in state) variables["STATE_" + name] = value;
        using var post = RunningRunner.Start(variables, sandbox.Workspace, ["--post"]);
        return await post.WaitAsync(TimeSpan.FromSeconds(90));
    }

    private async Task<Outcome> TeardownAsync(ApiCall call)
    {
        Api.AddDeployment(WebhookEvents.ApiDeployment(701, "pr7-a", @ref: Branch, sha: ShaA, transient: true));
        Api.AddDeployment(WebhookEvents.ApiDeployment(702, "pr7-b", @ref: Branch, sha: ShaA, transient: true));
        Api.AddDeployment(WebhookEvents.ApiDeployment(703, "pr7-a", @ref: Branch, sha: ShaB, transient: true));
        foreach (var id in new long[] { 701, 702, 703 }) Api.AddStatus(id, "success");
        Api.AddPullRequestCommits(7, ShaA, ShaB);
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(7, Branch, ShaB), Api)
            .Input("remove-script", "echo \"$DEPLOY_ENVIRONMENT\" >> removed.txt")
            .WithEventName("pull_request");

        var main = await sandbox.RunAsync(TimeSpan.FromSeconds(150));

        main.ShouldExitWith(1);
        var removedPath = Path.Combine(sandbox.Workspace, "removed.txt");
        var removed = File.Exists(removedPath) ? File.ReadAllLines(removedPath) : [];
        var lines = main.Lines.ToList();
        switch (call)
        {
            case ApiCall.TeardownRefList or ApiCall.TeardownShaList or ApiCall.TeardownCommits:
                // Nothing is known for sure: nothing is removed.
                Assert.Empty(removed);
                Assert.All(new long[] { 701, 702, 703 }, id => Assert.Equal("success", Api.LatestState(id)));
                break;
            case ApiCall.TeardownEnvironmentList or ApiCall.TeardownNewestStatus:
                Assert.Equal(["pr7-b"], removed);
                Assert.Equal("success", Api.LatestState(703));
                break;
            case ApiCall.TeardownInProgress:
                Assert.Equal(["pr7-b"], removed);
                Assert.Equal("error", Api.LatestState(703));
                break;
            case ApiCall.TeardownRemovedStatus:
                Assert.Equal(["pr7-a", "pr7-b"], removed);
                Assert.Equal("success", Api.LatestState(701));
                var post = await RunPostStepAsync(sandbox, sandbox.State());
                post.ShouldExitWith(0);
                lines.AddRange(post.Lines);
                Assert.Contains(Api.LatestState(703), Terminal);
                break;
            case ApiCall.TeardownOlderInactive:
                Assert.Equal(["pr7-a", "pr7-b"], removed);
                Assert.Equal("inactive", Api.LatestState(703));
                break;
        }

        if (call is not (ApiCall.TeardownRefList or ApiCall.TeardownShaList or ApiCall.TeardownCommits))
        {
            // The other environment was torn down all the same.
            Assert.Equal("inactive", Api.LatestState(702));
            Assert.Contains(main.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("Could not tear down: pr7-a.", StringComparison.Ordinal));
        }

        return new Outcome(lines, main.Log);
    }
}
