using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// Who may do what by comment: write (or maintain, admin) asked of the API for the comment's
/// author at the time of the command, admin-only targets, forks, required checks. A refusal is one
/// polite reply and nothing else: no deployment, no status, the workspace untouched.
/// </summary>
public sealed class CommentPermissionTests : CommentCommandTest
{
    [WebhookFixtureTheory]
    [InlineData("read", "read")]
    [InlineData("read", "triage")]
    [InlineData("none", "none")]
    public async Task A_reader_is_politely_refused_and_nothing_happens(string permission, string role)
    {
        using var sandbox = Sandbox("/deploy staging");
        Api.SetPermission(Author, permission, role);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("Sorry", Reply.Body);
        Assert.Contains($"you have **{role}**", Reply.Body);
        NothingDeployed(sandbox);
        Assert.Contains(Api.Requests, r => r.Path.EndsWith($"/collaborators/{Author}/permission", StringComparison.Ordinal));
        Assert.DoesNotContain(Api.Requests, r => r.Path.Contains("/contents/", StringComparison.Ordinal) || r.Path.Contains("/pulls/", StringComparison.Ordinal));
    }

    [WebhookFixtureTheory]
    [InlineData("write", "maintain", false)]
    [InlineData("write", "write", false)]
    [InlineData("admin", "admin", true)]
    public async Task An_admin_only_target_is_deployed_by_admins_only(string permission, string role, bool deploys)
    {
        using var sandbox = Sandbox("/deploy production");
        Api.SetPermission(Author, permission, role);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        if (deploys)
        {
            Assert.Equal("production", Assert.Single(Api.CreationRequests)["environment"]!.GetValue<string>());
            Assert.Contains("Deployed target **production**", Reply.Body);
        }
        else
        {
            Assert.Contains("by admins only", Reply.Body);
            NothingDeployed(sandbox);
        }
    }

    [WebhookFixtureFact]
    public async Task A_maintainer_deploys_an_ordinary_target()
    {
        using var sandbox = Sandbox("/deploy staging");
        Api.SetPermission(Author, "write", "maintain");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.Single(Api.CreationRequests);
    }

    [WebhookFixtureTheory]
    [InlineData("someone/Hello-World")]
    [InlineData(null)]
    public async Task A_forks_pull_request_is_never_deployed_by_comment_and_the_reply_says_why(string? headRepository)
    {
        using var sandbox = Sandbox("/deploy staging");
        Api.AddPullRequest(PullRequest, "feature", HeadSha, headRepository);
        Api.SetPermission(Author, "admin", "admin");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("comes from a fork", Reply.Body);
        Assert.Contains("secrets", Reply.Body);
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_target_that_allows_forks_deploys_a_forks_pull_request()
    {
        using var sandbox = Sandbox("/deploy forks-welcome");
        Api.AddPullRequest(PullRequest, "feature", HeadSha, "someone/Hello-World");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(HeadSha, Assert.Single(Api.CreationRequests)["ref"]!.GetValue<string>());
    }

    [WebhookFixtureFact]
    public async Task Failing_and_pending_required_checks_are_named_and_nothing_is_created()
    {
        using var sandbox = Sandbox("/deploy checked");
        Api.AddCommitStatus(HeadSha, "build", "success");
        Api.AddCheckRun(HeadSha, "lint", "completed", "failure");
        Api.AddCheckRun(HeadSha, "e2e", "in_progress");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var body = Reply.Body;
        Assert.Contains("- **lint**: failure", body);
        Assert.Contains("- **e2e**: in\\_progress", body);
        Assert.DoesNotContain("**build**", body);
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_required_check_not_reported_yet_is_pending()
    {
        using var sandbox = Sandbox("/deploy checked");
        Api.AddCommitStatus(HeadSha, "build", "success");
        Api.AddCheckRun(HeadSha, "lint", "completed", "success");

        await sandbox.RunAsync();

        Assert.Contains("- **e2e**: pending \\(not reported\\)", Reply.Body);
        Assert.Empty(Api.CreationRequests);
    }

    [WebhookFixtureFact]
    public async Task Passing_required_checks_let_the_deployment_through()
    {
        using var sandbox = Sandbox("/deploy checked");
        Api.AddCommitStatus(HeadSha, "build", "success");
        Api.AddCheckRun(HeadSha, "lint", "completed", "success");
        Api.AddCheckRun(HeadSha, "e2e", "completed", "failure");
        Api.AddCheckRun(HeadSha, "e2e", "completed", "success");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal(["build", "lint", "e2e"], request["required_contexts"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [WebhookFixtureTheory]
    [InlineData("edited", true, "Codertocat", "User", "/deploy staging")]
    [InlineData("deleted", true, "Codertocat", "User", "/deploy staging")]
    [InlineData("created", false, "Codertocat", "User", "/deploy staging")]
    [InlineData("created", true, "deliverybot[bot]", "Bot", "/deploy staging")]
    [InlineData("created", true, "renovate", "Bot", "/deploy staging")]
    [InlineData("created", true, "Codertocat", "User", "Looks good! /deploy staging when ready")]
    [InlineData("created", true, "Codertocat", "User", "/deployment staging")]
    [InlineData("created", true, "Codertocat", "User", "")]
    public async Task Edited_comments_issues_bots_and_conversation_are_ignored_without_a_single_request(string action, bool onPullRequest, string login, string type, string body)
    {
        using var sandbox = Sandbox(body);
        var root = CommentEvent(body, action, onPullRequest);
        root["comment"]!["user"]!["login"] = login;
        root["comment"]!["user"]!["type"] = type;
        File.WriteAllText(sandbox.EventPath, root.ToJsonString());

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.Requests);
        Assert.Contains(result.Lines, l => l.Contains("nothing to do", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::", StringComparison.Ordinal) && !l.StartsWith("::add-mask::", StringComparison.Ordinal));
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task The_real_issue_comment_fixture_is_ignored_as_a_comment_on_an_issue()
    {
        using var sandbox = new RunnerSandbox(WebhookFixtures.Read(WebhookFixtures.IssueComment), Api).WithEventName("issue_comment").Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("not a pull request", result.Log);
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [WebhookFixtureFact]
    public async Task Markdown_mentions_and_workflow_commands_in_the_comment_never_reach_the_reply_or_the_log_as_such()
    {
        const string Hostile = "[x](https://evil.example)@org/team`<img>::error::pwned";
        using var sandbox = Sandbox($"/deploy {Hostile}\n::set-output name=x::y\n@everyone");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var body = Reply.Body;
        Assert.DoesNotContain("[x](", body);
        Assert.DoesNotContain("https://evil", body);
        Assert.DoesNotContain("@org", body);
        Assert.DoesNotContain("<img>", body);
        Assert.DoesNotMatch("(?<!\\\\)`", body);
        Assert.Contains("&lt;img&gt;", body);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error::pwned", StringComparison.Ordinal) || l.StartsWith("::set-output", StringComparison.Ordinal));
        Assert.DoesNotContain("::error::pwned", File.ReadAllText(sandbox.OutputPath));
        NothingDeployed(sandbox);
    }

    [WebhookFixtureFact]
    public async Task A_hostile_branch_name_reaches_the_log_as_untrusted_text_only()
    {
        using var sandbox = Sandbox("/deploy staging");
        Api.AddPullRequest(PullRequest, "x`@team::error::pwned", HeadSha, Repository);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error::pwned", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("x`@team::error::pwned", StringComparison.Ordinal));
        Assert.DoesNotContain("@team", Reply.Body);
    }

    [WebhookFixtureFact]
    public async Task A_hostile_login_is_escaped_in_the_refusal()
    {
        using var sandbox = Sandbox("/deploy staging", root => root["comment"]!["user"]!["login"] = "<b>@everyone</b>");
        Api.SetPermission("<b>@everyone</b>", "read");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.DoesNotContain("@everyone", Reply.Body);
        Assert.DoesNotContain("<b>", Reply.Body);
        // The login is one path segment: its slash travels escaped and cannot climb out of collaborators/.
        Assert.Contains(Api.Requests, r => r.Path.EndsWith("/collaborators/<b>@everyone<%2Fb>/permission", StringComparison.OrdinalIgnoreCase));
    }
}
