namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// What the tests of a closed pull request's teardown share: a close event run by the built
/// runner with a remove-script that records each environment it tears down, and review apps
/// planted on the fake API.
/// </summary>
public abstract class TeardownTest : FakeApiTest
{
    private const string RemoveScript = "echo \"$DEPLOY_ENVIRONMENT\" >> removed.txt";

    protected RunnerSandbox Close(long number, string headRef, string headSha, string headRepository = "octocat/hello-world", string eventName = "pull_request") =>
        new RunnerSandbox(WebhookEvents.PullRequest(number, headRef, headSha, headRepository: headRepository), Api)
            .Input("remove-script", RemoveScript)
            .WithEventName(eventName);

    /// <summary>The environments the remove-script ran for, in order.</summary>
    protected static IReadOnlyList<string> Removed(RunnerSandbox sandbox)
    {
        var path = Path.Combine(sandbox.Workspace, "removed.txt");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>A transient deployment that succeeded.</summary>
    protected void Deployed(long id, string environment, string @ref, string sha)
    {
        Api.AddDeployment(WebhookEvents.ApiDeployment(id, environment, @ref: @ref, sha: sha, transient: true));
        Api.AddStatus(id, "success");
    }
}
