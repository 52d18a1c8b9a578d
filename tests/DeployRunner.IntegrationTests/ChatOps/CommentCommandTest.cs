using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// A pull request comment through the built runner: the real issue_comment payload (made a pull
/// request's comment), the fake GitHub API knowing the author's permission, the pull request and
/// deploy.yml on the default branch, and a real git origin whose default branch is checked out
/// in the workspace while the pull request's branch holds other commits.
/// </summary>
public abstract class CommentCommandTest : FakeApiTest
{
    public const string Repository = "Codertocat/Hello-World";
    public const string Author = "Codertocat";
    public const long PullRequest = 1;
    public const long CommentId = 492700400;

    /// <summary>deploy.yml as the default branch has it (the fake serves it; the origin's master holds it too).</summary>
    public const string DefaultConfig = """
        production:
          production_environment: true
          chatops:
            permission: admin
        staging:
          environment: staging
          runner:
            environment-url: https://staging.example.com
        review:
          environment: pr${{ pr }}
          transient_environment: true
        checked:
          required_contexts: ["build", "lint", "e2e"]
        forks-welcome:
          chatops:
            forks: true
        """;

    /// <summary>What the script prints: the environment, the commit it was given, and the checked-out file that says which commit the workspace holds.</summary>
    public const string Script = "echo \"deployed $DEPLOY_ENVIRONMENT at $DEPLOY_SHA\"; echo \"workspace: $(cat marker.txt) $(git rev-parse HEAD)\"";

    protected GitOrigin Origin { get; private set; } = null!;

    /// <summary>The commit of master (the default branch) and of the pull request's branch.</summary>
    protected string MasterSha { get; private set; } = "";

    protected string HeadSha { get; private set; } = "";

    /// <summary>The real payload, on pull request #1, with <paramref name="body"/> as the comment.</summary>
    public static JsonObject CommentEvent(string body, string action = "created", bool onPullRequest = true)
    {
        var root = WebhookFixtures.Json(WebhookFixtures.IssueComment);
        root["action"] = action;
        root["comment"]!["body"] = body;
        if (onPullRequest)
        {
            root["issue"]!["pull_request"] = new JsonObject
            {
                ["url"] = $"https://api.github.com/repos/{Repository}/pulls/1",
                ["html_url"] = $"https://github.com/{Repository}/pull/1",
                ["diff_url"] = $"https://github.com/{Repository}/pull/1.diff",
                ["patch_url"] = $"https://github.com/{Repository}/pull/1.patch",
                ["merged_at"] = null,
            };
        }

        return root;
    }

    /// <summary>A job for <paramref name="body"/>: origin with master and branch `feature`, master checked out, the author a writer.</summary>
    /// <param name="masterFiles">More files on master (and so on the pull request's branch), each also served by the fake's contents API.</param>
    protected RunnerSandbox Sandbox(string body, Action<JsonObject>? change = null, string config = DefaultConfig, string? pullRequestConfig = null, IReadOnlyDictionary<string, string>? masterFiles = null)
    {
        var root = CommentEvent(body);
        change?.Invoke(root);
        var sandbox = new RunnerSandbox(root.ToJsonString(), Api).WithEventName("issue_comment").Input("script", Script);
        var master = new Dictionary<string, string> { ["marker.txt"] = "master", [".github/deploy.yml"] = config };
        foreach (var (path, text) in masterFiles ?? new Dictionary<string, string>())
        {
            master[path] = text;
            Api.AddFile(path, "master", text);
        }

        Origin = GitOrigin.Create(sandbox.Root, master);
        MasterSha = GitOrigin.Head(Path.Combine(sandbox.Root, "authoring"));
        var headFiles = new Dictionary<string, string> { ["marker.txt"] = "feature" };
        if (pullRequestConfig is not null) headFiles[".github/deploy.yml"] = pullRequestConfig;
        HeadSha = Origin.Commit("feature", headFiles, "the pull request's change");
        Origin.CloneInto(sandbox.Workspace);
        sandbox.Environment["GITHUB_SHA"] = MasterSha;

        Api.SetPermission(Author, "write", "write");
        Api.AddPullRequest(PullRequest, "feature", HeadSha, Repository);
        Api.AddFile(".github/deploy.yml", "master", config);
        Api.AddCommit("master", MasterSha);
        return sandbox;
    }

    /// <summary>The one reply the command got.</summary>
    protected PostedComment Reply => Assert.Single(Api.Comments);

    /// <summary>Nothing was created, posted or run: a refusal or an ignored comment.</summary>
    protected void NothingDeployed(RunnerSandbox sandbox)
    {
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.Statuses);
        Assert.Equal(MasterSha, GitOrigin.Head(sandbox.Workspace));
    }
}
