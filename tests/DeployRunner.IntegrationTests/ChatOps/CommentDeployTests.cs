using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// <c>/deploy</c> from a pull request comment, as Deliverybot answered it: eyes at once, one
/// reply at the end with the result, the environment URL and the run; the deployment created and
/// run like any other the runner creates, at the commit resolved when the command was read.
/// </summary>
public sealed class CommentDeployTests : CommentCommandTest
{
    [WebhookFixtureFact]
    public async Task A_writer_deploys_the_pull_request_head_with_a_reaction_and_one_reply()
    {
        using var sandbox = Sandbox("/deploy staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal([(CommentId, "eyes")], Api.Reactions);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal((HeadSha, "staging"), (request["ref"]!.GetValue<string>(), request["environment"]!.GetValue<string>()));
        Assert.Equal(1, request["payload"]!["pr"]!.GetValue<int>());
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains($"deployed staging at {HeadSha}", result.Lines);
        Assert.Contains($"workspace: feature {HeadSha}", result.Lines);
        var reply = Reply;
        Assert.Equal(PullRequest, reply.IssueNumber);
        Assert.Contains("Deployed target **staging**", reply.Body);
        Assert.Contains("<https://staging.example.com>", reply.Body);
        Assert.Contains("[Workflow run](https://github.com/octocat/hello-world/actions/runs/777)", reply.Body);
        Assert.Contains("deployment-id=", File.ReadAllText(sandbox.OutputPath).Replace("\n", "=", StringComparison.Ordinal));
        Assert.Contains("created-", File.ReadAllText(sandbox.StatePath));
        Assert.Contains("from the default branch 'master' through the API", result.Log);
    }

    [WebhookFixtureFact]
    public async Task Deploy_ref_to_target_deploys_that_branch_by_its_sha()
    {
        using var sandbox = Sandbox("/deploy master to staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(MasterSha, Assert.Single(Api.CreationRequests)["ref"]!.GetValue<string>());
        Assert.Contains($"workspace: master {MasterSha}", result.Lines);
        Assert.Contains("Deployed target **staging**", Reply.Body);
    }

    [WebhookFixtureFact]
    public async Task A_ref_that_names_no_commit_is_refused_in_the_reply()
    {
        using var sandbox = Sandbox("/deploy nosuchbranch to staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("There is no branch, tag or commit **nosuchbranch**", Reply.Body);
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_push_between_the_command_and_the_deploy_does_not_change_the_commit_deployed()
    {
        using var sandbox = Sandbox("/deploy staging");
        var resolved = HeadSha;
        // The push lands right after the runner read the pull request: origin's branch moves on and
        // so does the pull request's head as the API answers it.
        var pushed = Origin.Commit("feature", new Dictionary<string, string> { ["marker.txt"] = "pushed later" }, "a push after the command");
        Api.MovePullRequestHeadAfterRead(PullRequest, pushed);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(resolved, Assert.Single(Api.CreationRequests)["ref"]!.GetValue<string>());
        Assert.Contains($"workspace: feature {resolved}", result.Lines);
        Assert.DoesNotContain(result.Lines, l => l.Contains("pushed later", StringComparison.Ordinal) || l.Contains(pushed, StringComparison.Ordinal));
        Assert.Single(Api.Requests, r => r.Method == "GET" && r.Path.EndsWith($"/pulls/{PullRequest}", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task Deploy_yml_is_read_from_the_default_branch_never_from_the_pull_request()
    {
        const string Rewritten = """
            staging:
              environment: staging
              runner:
                script: echo "the pull request chose this script"
            evil:
              environment: production
            """;
        using var sandbox = Sandbox("/deploy staging", pullRequestConfig: Rewritten);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains($"deployed staging at {HeadSha}", result.Lines);
        Assert.DoesNotContain(result.Lines, l => l.Contains("the pull request chose", StringComparison.Ordinal));
        Assert.Contains("default branch 'master' through the API", result.Log);
        Assert.Contains(Api.Requests, r => r.Path.EndsWith("/contents/.github/deploy.yml", StringComparison.Ordinal) && r.Query.Contains("ref=master", StringComparison.Ordinal));

        // A target only the pull request's copy has is not a target.
        Api.ClearRequests();
        using var evil = Sandbox("/deploy evil", pullRequestConfig: Rewritten);
        var refused = await evil.RunAsync();
        refused.ShouldExitWith(0);
        Assert.Contains("There is no target **evil**", Api.Comments[^1].Body);
        Assert.Single(Api.CreationRequests);
    }

    [WebhookFixtureFact]
    public async Task A_missing_deploy_yml_on_the_default_branch_gets_a_clear_reply()
    {
        using var sandbox = Sandbox("/deploy staging");
        var fresh = CommentEvent("/deploy staging");
        fresh["repository"]!["default_branch"] = "trunk";
        File.WriteAllText(sandbox.EventPath, fresh.ToJsonString());

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains("on the default branch **trunk**", Reply.Body);
        Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_typo_in_the_target_gets_a_did_you_mean_and_nothing_else()
    {
        using var sandbox = Sandbox("/deploy stagign");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("There is no target **stagign**", Reply.Body);
        Assert.Contains("Did you mean **staging**?", Reply.Body);
        NothingDeployed(sandbox);
        Assert.Equal(["POST", "POST"], Api.Writes.Select(w => w.Method));
    }

    [WebhookFixtureFact]
    public async Task Usage_errors_get_the_usage_in_the_reply()
    {
        using var sandbox = Sandbox("/deploy a b c d");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("/deploy <target>", Reply.Body);
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_workspace_that_is_not_a_git_checkout_is_a_clear_refusal_before_anything_is_created()
    {
        using var sandbox = Sandbox("/deploy staging");
        Directory.Delete(Path.Combine(sandbox.Workspace, ".git"), recursive: true);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains("not a git checkout", Reply.Body);
        Assert.Contains("actions/checkout", Reply.Body);
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.Statuses);
    }

    [WebhookFixtureFact]
    public async Task A_commit_origin_does_not_have_is_a_clear_refusal_before_anything_is_created()
    {
        using var sandbox = Sandbox("/deploy staging");
        Api.AddPullRequest(PullRequest, "feature", new string('b', 40), Repository);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains("could not fetch commit", Reply.Body);
        Assert.Empty(Api.CreationRequests);
        Assert.Equal(MasterSha, GitOrigin.Head(sandbox.Workspace));
    }

    [WebhookFixtureFact]
    public async Task A_failed_deployment_says_so_in_the_reply()
    {
        using var sandbox = Sandbox("/deploy staging").Input("script", "echo broken; exit 3");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains("failed; see the workflow run", Reply.Body);
    }
}
