namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// A close costs a bounded number of API requests whatever an environment's history, and an
/// environment with more deployments than a close reads is still removed. The built runner
/// against the fake GitHub API.
/// </summary>
public sealed class TeardownBoundsTests : FakeApiTest
{
    private const string Branch = "feature-long";
    private const string Sha = "dddddddddddddddddddddddddddddddddddddddd";

    [Fact(Timeout = 120_000)]
    public async Task An_environment_with_more_deployments_than_a_close_reads_is_removed_with_a_bounded_number_of_requests()
    {
        // 1,100 deployments: every older one already inactive (earlier closes), the newest live.
        const int count = 1_100;
        for (long id = 1; id <= count; id++)
        {
            Api.AddDeployment(WebhookEvents.ApiDeployment(id, "pr8", @ref: Branch, sha: Sha, transient: true));
            Api.AddStatus(id, id == count ? "success" : "inactive");
        }

        Api.AddStatus(count - 1, "success");
        Api.AddPullRequestCommits(8, Sha);
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(8, Branch, Sha), Api)
            .Input("remove-script", "echo \"$DEPLOY_ENVIRONMENT\" >> removed.txt")
            .WithEventName("pull_request");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(100));

        result.ShouldExitWith(0);
        Assert.Equal(["pr8"], File.ReadAllLines(Path.Combine(sandbox.Workspace, "removed.txt")));
        Assert.Equal("inactive", Api.LatestState(count));
        Assert.Equal("inactive", Api.LatestState(count - 1));
        var statusReads = Api.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/statuses", StringComparison.Ordinal));
        Assert.InRange(statusReads, 1, 1 + 100);
        var environmentPages = Api.Requests.Count(r => r.Method == "GET" && r.Query.Contains("environment=pr8", StringComparison.Ordinal));
        Assert.Equal(10, environmentPages);
        Assert.Contains("Environment 'pr8' has more than 1000 deployments: its newest 1000 were checked (all transient); older ones are not read.", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Environment 'pr8': removed; its 100 newest older deployments are inactive, the rest (at least 899)", StringComparison.Ordinal));
    }
}
