using System.Diagnostics;

namespace DeployRunner.IntegrationTests.Faults;

/// <summary>A review-app teardown records each environment's deployment; the post step closes the one the main step could not.</summary>
public sealed class TeardownFaultTests : FakeApiTest
{
    private const string Branch = "feature/faults";
    private const string HeadSha = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

    [Fact(Timeout = 120_000)]
    public async Task When_the_first_environments_inactive_fails_five_times_the_post_step_closes_it_and_the_second_ends_inactive()
    {
        Api.AddDeployment(WebhookEvents.ApiDeployment(301, "pr5-a", @ref: Branch, sha: HeadSha, transient: true));
        Api.AddDeployment(WebhookEvents.ApiDeployment(302, "pr5-b", @ref: Branch, sha: HeadSha, transient: true));
        Api.AddStatus(301, "success");
        Api.AddStatus(302, "success");
        // A closed pull request owns only environments deployed from one of its commits.
        Api.AddPullRequestCommits(5, HeadSha);
        // The newest environment is torn down first.
        Api.ServerError(FakeGitHubApi.StatusPost("inactive", 302), times: 5);
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(5, Branch, HeadSha), Api)
            .Input("remove-script", "echo removed \"$DEPLOY_ENVIRONMENT\"")
            .WithEventName("pull_request");
        sandbox.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(sandbox.Root, "tmp")).FullName;

        var clock = Stopwatch.StartNew();
        var main = await sandbox.RunAsync(TimeSpan.FromSeconds(90));
        var tookMain = clock.Elapsed;

        main.ShouldExitWith(1);
        Assert.InRange(tookMain.TotalSeconds, 0, 60);
        Assert.Equal("in_progress", Api.LatestState(302));
        Assert.Equal("inactive", Api.LatestState(301));
        Assert.Equal("posting:inactive", sandbox.State()["deployment-302"]);
        Assert.Equal("posted:inactive", sandbox.State()["deployment-301"]);
        // GitHub asks for a second between mutative requests. The runner counts it from the
        // previous answer, so however slowly a request travels, the API sees them a second apart
        // (less a little clock granularity). Back-to-back posts would arrive milliseconds apart.
        var posts = Api.Requests.Where(r => r.Method == "POST").Select(r => r.At).ToList();
        Assert.All(posts.Zip(posts.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(0.95), $"POSTs {(pair.Second - pair.First).TotalSeconds:0.00} s apart."));

        var variables = new Dictionary<string, string>(sandbox.Environment);
        foreach (var (name, value) in sandbox.State()) variables["STATE_" + name] = value;
        using var postRunner = RunningRunner.Start(variables, sandbox.Workspace, ["--post"]);
        var post = await postRunner.WaitAsync(TimeSpan.FromSeconds(60));

        post.ShouldExitWith(0);
        Assert.Equal("error", Api.LatestState(302));
        Assert.Equal("inactive", Api.LatestState(301));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Environment["TMPDIR"]));
    }
}
