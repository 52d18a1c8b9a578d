using System.Text;
using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// <c>/lock</c>, <c>/unlock</c>, <c>/locks</c> through the built runner: authorised here
/// (write, admin for an admin-only target, owner or admin to unlock), kept by the lock store as a
/// branch the fake's git data API holds; replies escape the holder's login and reason.
/// </summary>
public sealed class CommentLockTests : CommentCommandTest
{
    private JsonObject LockFile(string environment) =>
        (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(Api.FileOnBranch("deploy-lock/" + environment, "lock.json") ?? throw new InvalidOperationException($"No lock of {environment}.")))!;

    /// <summary>A lock of staging as the lock store writes it, planted in the fake's git data.</summary>
    private void PlantStagingLock(string owner, string reason, DateTimeOffset created, DateTimeOffset? expires)
    {
        var file = new JsonObject { ["environment"] = "staging", ["owner"] = owner, ["reason"] = reason, ["created_at"] = created.ToString("O") };
        if (expires is { } at) file["expires_at"] = at.ToString("O");
        Api.PlantLock("deploy-lock/staging", file.ToJsonString());
    }

    private static Action<JsonObject> By(string login) => root => root["comment"]!["user"]!["login"] = login;

    [WebhookFixtureFact]
    public async Task A_writer_locks_with_a_reason_and_an_expiry_lists_and_unlocks()
    {
        using (var sandbox = Sandbox("/lock staging deploying v2 30m"))
        {
            (await sandbox.RunAsync()).ShouldExitWith(0);
            Assert.Contains("Locked **staging**", Reply.Body);
            Assert.Matches("expires in (29|30)m", Reply.Body);
        }

        var file = LockFile("staging");
        Assert.Equal(("Codertocat", "deploying v2"), (file["owner"]!.GetValue<string>(), file["reason"]!.GetValue<string>()));
        Assert.NotNull(file["expires_at"]);
        Assert.Empty(Api.CreationRequests);

        using (var list = Sandbox("/locks"))
        {
            (await list.RunAsync()).ShouldExitWith(0);
            Assert.Contains("- **staging**: locked by @\u200BCodertocat", Api.Comments[^1].Body);
            Assert.Contains("deploying v2", Api.Comments[^1].Body);
        }

        using (var unlock = Sandbox("/unlock staging"))
        {
            (await unlock.RunAsync()).ShouldExitWith(0);
            Assert.Contains("Unlocked **staging**", Api.Comments[^1].Body);
        }

        Assert.DoesNotContain("refs/heads/deploy-lock/staging", Api.GitRefs.Keys);
        using var none = Sandbox("/locks");
        (await none.RunAsync()).ShouldExitWith(0);
        Assert.Contains("No environment is locked.", Api.Comments[^1].Body);
    }

    [WebhookFixtureFact]
    public async Task Of_two_concurrent_locks_one_wins_and_the_other_is_told_who_holds_it()
    {
        Api.SetPermission("hubot-human", "write");
        using var first = Sandbox("/lock staging first");
        using var second = Sandbox("/lock staging second", By("hubot-human"));

        var results = await Task.WhenAll(first.RunAsync(), second.RunAsync());

        Assert.All(results, r => r.ShouldExitWith(0));
        var replies = Api.Comments.Select(c => c.Body).ToList();
        Assert.Equal(2, replies.Count);
        Assert.Single(replies, r => r.StartsWith("Locked **staging**", StringComparison.Ordinal));
        var refused = Assert.Single(replies, r => r.Contains("is already locked by @\u200B", StringComparison.Ordinal));
        var owner = LockFile("staging")["owner"]!.GetValue<string>();
        Assert.Contains($"@\u200B{ReplyLogin(owner)}", refused);
    }

    private static string ReplyLogin(string login) => login.Replace("-", "\\-", StringComparison.Ordinal);

    [WebhookFixtureFact]
    public async Task Another_writer_cannot_unlock_but_an_admin_can()
    {
        using (var sandbox = Sandbox("/lock staging mine"))
            (await sandbox.RunAsync()).ShouldExitWith(0);
        Api.SetPermission("someone", "write");
        Api.SetPermission("boss", "admin");

        using (var other = Sandbox("/unlock staging", By("someone")))
        {
            (await other.RunAsync()).ShouldExitWith(0);
            Assert.Contains("Only the lock's owner or an admin may unlock it", Api.Comments[^1].Body);
        }

        Assert.Contains("refs/heads/deploy-lock/staging", Api.GitRefs.Keys);
        using var admin = Sandbox("/unlock staging", By("boss"));
        (await admin.RunAsync()).ShouldExitWith(0);
        Assert.Contains("Unlocked **staging**", Api.Comments[^1].Body);
        Assert.DoesNotContain("refs/heads/deploy-lock/staging", Api.GitRefs.Keys);
    }

    [WebhookFixtureTheory]
    [InlineData("/lock staging")]
    [InlineData("/unlock staging")]
    [InlineData("/locks")]
    public async Task A_reader_can_run_no_lock_command(string body)
    {
        using var sandbox = Sandbox(body);
        Api.SetPermission(Author, "read");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.Contains("Sorry", Reply.Body);
        Assert.DoesNotContain(Api.GitRefs.Keys, k => k.Contains("deploy-lock", StringComparison.Ordinal));
        Assert.DoesNotContain(Api.Requests, r => r.Path.Contains("/git/", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task An_admin_only_target_is_locked_by_admins_only()
    {
        using (var writer = Sandbox("/lock production"))
        {
            (await writer.RunAsync()).ShouldExitWith(0);
            Assert.Contains("by admins only", Api.Comments[^1].Body);
        }

        Assert.DoesNotContain("refs/heads/deploy-lock/production", Api.GitRefs.Keys);
        using var admin = Sandbox("/lock production release 1d");
        Api.SetPermission(Author, "admin");
        (await admin.RunAsync()).ShouldExitWith(0);
        Assert.Contains("Locked **production**", Api.Comments[^1].Body);
    }

    [WebhookFixtureFact]
    public async Task A_templated_environment_is_locked_for_this_pull_request()
    {
        using var sandbox = Sandbox("/lock review");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.Equal("pr1", LockFile("pr1")["environment"]!.GetValue<string>());
    }

    [WebhookFixtureFact]
    public async Task An_expired_lock_is_not_listed_and_can_be_taken()
    {
        PlantStagingLock("someone", "forgotten", DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1));

        using (var list = Sandbox("/locks"))
        {
            (await list.RunAsync()).ShouldExitWith(0);
            Assert.Contains("No environment is locked.", Api.Comments[^1].Body);
        }

        using var take = Sandbox("/lock staging");
        (await take.RunAsync()).ShouldExitWith(0);
        Assert.Contains("Locked **staging**", Api.Comments[^1].Body);
        Assert.Equal("Codertocat", LockFile("staging")["owner"]!.GetValue<string>());
    }

    /// <summary>
    /// <c>/deploy</c> into an environment someone else locked: the reply names the lock (owner,
    /// reason) and how to go on, and no deployment is created.
    /// </summary>
    [WebhookFixtureFact]
    public async Task A_deploy_command_into_someone_elses_lock_is_refused_in_the_reply_naming_it_and_nothing_is_created()
    {
        PlantStagingLock("release-manager", "release freeze", DateTimeOffset.UtcNow.AddMinutes(-5), expires: null);

        using var sandbox = Sandbox("/deploy staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.States);
        Assert.Contains("Target **staging** was not deployed: **staging** is locked by @\u200Brelease\\-manager", Reply.Body);
        Assert.Contains("release freeze", Reply.Body);
        Assert.Contains("Nothing was created.", Reply.Body);
        Assert.Contains("`/unlock staging`", Reply.Body);
        Assert.Contains(result.Lines, l => l.Contains("not deployed by comment", StringComparison.Ordinal) && l.Contains("release-manager", StringComparison.Ordinal));
    }

    [WebhookFixtureTheory]
    [InlineData(AnswerFault.ServerError)]
    [InlineData(AnswerFault.LostAnswer)]
    [InlineData(AnswerFault.MalformedJson)]
    [InlineData(AnswerFault.WrongShape)]
    [InlineData(AnswerFault.Truncated)]
    public async Task A_deploy_command_whose_lock_check_gets_no_usable_answer_creates_nothing_and_says_why(AnswerFault fault)
    {
        // Retried faults get every attempt broken, so the check cannot end in an answer.
        Api.BreakAnswers(FakeGitHubApi.IsLockCheck, fault, times: 10);

        using var sandbox = Sandbox("/deploy staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.States);
        Assert.Contains("Could not check whether **staging** is locked, so target **staging** was not deployed", Reply.Body);
        Assert.Contains("Nothing was created.", Reply.Body);
        Assert.DoesNotContain(result.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_hostile_reason_is_escaped_in_every_reply_and_the_log()
    {
        using (var sandbox = Sandbox("/lock staging [x](https://evil.example) @org/team <img src=x> ::error::pwned `"))
        {
            var result = await sandbox.RunAsync();
            result.ShouldExitWith(0);
            Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error::pwned", StringComparison.Ordinal));
        }

        using var list = Sandbox("/locks");
        var listed = await list.RunAsync();

        listed.ShouldExitWith(0);
        var body = Api.Comments[^1].Body;
        Assert.Contains("&lt;img", body);
        Assert.DoesNotContain("<img", body);
        Assert.DoesNotContain("@org", body);
        Assert.DoesNotContain("](https://evil", body);
        Assert.DoesNotMatch("(?<!\\\\)`", body);
        Assert.DoesNotContain(listed.Lines, l => l.StartsWith("::error::pwned", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_lock_expiry_beyond_thirty_days_gets_the_usage()
    {
        using var sandbox = Sandbox("/lock staging 31d");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.Contains("at most 30d", Reply.Body);
        Assert.DoesNotContain(Api.GitRefs.Keys, k => k.Contains("deploy-lock", StringComparison.Ordinal));
    }
}
