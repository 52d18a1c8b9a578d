using System.Text;
using System.Text.Json.Nodes;
using DeployRunner.GitHub;
using DeployRunner.Locking;

namespace DeployRunner.IntegrationTests.Locking;

/// <summary>The lock store through Octokit and our retrying handler against the fake GitHub API over HTTP.</summary>
public sealed class LockStoreTests : FakeApiTest
{
    private const string Repository = "octocat/hello-world";

    internal static RetryPolicy FastPolicy => RetryPolicy.Default with { FirstBackoff = TimeSpan.FromMilliseconds(50), MutationSpacing = TimeSpan.Zero };

    private GitHubEnvironmentLocks Store(List<string>? notes = null) =>
        GitHubEnvironmentLocks.Create(new Uri(Api.BaseUrl), "token", GitHubTransport.Create(FastPolicy, TimeProvider.System), TimeProvider.System, notes is null ? null : notes.Add);

    private static string LockJson(string environment, string owner, DateTimeOffset created, DateTimeOffset? expires = null, string? reason = "release") =>
        new JsonObject
        {
            ["environment"] = environment,
            ["owner"] = owner,
            ["reason"] = reason,
            ["created_at"] = created.ToString("O"),
            ["expires_at"] = expires?.ToString("O"),
        }.ToJsonString();

    [Fact]
    public async Task A_lock_is_a_branch_with_lock_json_that_find_list_and_unlock_read()
    {
        var store = Store();
        var outcome = await store.LockAsync(Repository, "Production", "alice", "release 1.2 in progress", TimeSpan.FromHours(2), "https://github.com/octocat/hello-world/actions/runs/7", CancellationToken.None);

        var taken = Assert.IsType<LockOutcome.Taken>(outcome);
        Assert.Equal("deploy-lock/production", taken.Lock.Branch);
        Assert.True(Api.GitRefs.ContainsKey("refs/heads/deploy-lock/production"));
        var file = JsonNode.Parse(Api.FileOnBranch("deploy-lock/production", "lock.json")!)!.AsObject();
        Assert.Equal("Production", file["environment"]!.GetValue<string>());
        Assert.Equal("alice", file["owner"]!.GetValue<string>());
        Assert.Equal("release 1.2 in progress", file["reason"]!.GetValue<string>());
        Assert.Equal("https://github.com/octocat/hello-world/actions/runs/7", file["run_url"]!.GetValue<string>());
        var created = DateTimeOffset.Parse(file["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(file["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - created, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        // No parents: the lock's commit shares no history with the code.
        var commit = Api.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/git/commits", StringComparison.Ordinal)).Json!;
        Assert.Empty(commit["parents"]!.AsArray());

        // Case does not matter, as for GitHub's environments.
        var found = await store.FindAsync(Repository, "production", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal("alice", found.Owner);
        Assert.Equal("release 1.2 in progress", found.Reason);
        Assert.Null(found.Problem);
        Assert.Contains("locked by @alice 30s ago: release 1.2 in progress (expires in 1h 59m)", found.Describe(found.CreatedAt!.Value + TimeSpan.FromSeconds(30)), StringComparison.Ordinal);

        var listing = await store.ListAsync(Repository, CancellationToken.None);
        Assert.False(listing.Truncated);
        Assert.Equal("Production", Assert.Single(listing.Locks).Environment);

        Assert.IsType<UnlockOutcome.Released>(await store.UnlockAsync(Repository, "PRODUCTION", "Alice", requesterIsAdmin: false, CancellationToken.None));
        Assert.Empty(Api.GitRefs);
        Assert.Null(await store.FindAsync(Repository, "production", CancellationToken.None));
        Assert.IsType<UnlockOutcome.NotLocked>(await store.UnlockAsync(Repository, "production", "alice", requesterIsAdmin: false, CancellationToken.None));
    }

    [Fact]
    public async Task A_held_lock_refuses_others_names_the_holder_and_only_the_owner_or_an_admin_unlocks_it()
    {
        var store = Store();
        Assert.IsType<LockOutcome.Taken>(await store.LockAsync(Repository, "staging", "alice", "testing a migration", null, null, CancellationToken.None));

        var refused = Assert.IsType<LockOutcome.Refused>(await store.LockAsync(Repository, "staging", "bob", "mine now", null, null, CancellationToken.None));
        Assert.Equal("alice", refused.Holder.Owner);
        Assert.Equal("testing a migration", refused.Holder.Reason);
        Assert.Null(refused.Holder.ExpiresAt);
        Assert.IsType<LockOutcome.AlreadyHeld>(await store.LockAsync(Repository, "staging", "ALICE", "again", null, null, CancellationToken.None));
        Assert.Equal("alice", JsonNode.Parse(Api.FileOnBranch("deploy-lock/staging", "lock.json")!)!["owner"]!.GetValue<string>());

        var notYours = Assert.IsType<UnlockOutcome.Refused>(await store.UnlockAsync(Repository, "staging", "bob", requesterIsAdmin: false, CancellationToken.None));
        Assert.Equal("alice", notYours.Holder.Owner);
        Assert.Single(Api.GitRefs);

        var released = Assert.IsType<UnlockOutcome.Released>(await store.UnlockAsync(Repository, "staging", "carol", requesterIsAdmin: true, CancellationToken.None));
        Assert.Equal("alice", released.Lock.Owner);
        Assert.Empty(Api.GitRefs);
    }

    [Fact]
    public async Task Of_concurrent_locks_exactly_one_wins_and_every_other_is_told_the_winner()
    {
        // One store (and handler) per caller: separate runners, nothing serialised on our side.
        var owners = Enumerable.Range(1, 6).Select(i => $"user{i}").ToList();
        var outcomes = await Task.WhenAll(owners.Select(owner => Store().LockAsync(Repository, "production", owner, $"{owner}'s release", null, null, CancellationToken.None)));

        var winner = Assert.Single(outcomes.OfType<LockOutcome.Taken>()).Lock.Owner;
        Assert.Equal(5, outcomes.OfType<LockOutcome.Refused>().Count(r => r.Holder.Owner == winner && r.Holder.Reason == $"{winner}'s release"));
        Assert.Equal(6, Api.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/git/refs", StringComparison.Ordinal)));
        Assert.Equal(winner, JsonNode.Parse(Api.FileOnBranch("deploy-lock/production", "lock.json")!)!["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_lock_counts_as_absent_and_is_removed_when_found()
    {
        var now = DateTimeOffset.UtcNow;
        Api.PlantLock("deploy-lock/production", LockJson("production", "alice", now.AddHours(-3), now.AddHours(-1)));
        var notes = new List<string>();

        Assert.Null(await Store(notes).FindAsync(Repository, "production", CancellationToken.None));
        Assert.Empty(Api.GitRefs);
        Assert.Contains(notes, n => n.Contains("Removed the expired lock of 'production'", StringComparison.Ordinal) && n.Contains("@alice", StringComparison.Ordinal));

        // Taking it over an expired lock: the old branch is removed and the new one created.
        Api.PlantLock("deploy-lock/production", LockJson("production", "alice", now.AddHours(-3), now.AddMinutes(-5)));
        Assert.IsType<LockOutcome.Taken>(await Store().LockAsync(Repository, "production", "bob", "hotfix", null, null, CancellationToken.None));
        Assert.Equal("bob", JsonNode.Parse(Api.FileOnBranch("deploy-lock/production", "lock.json")!)!["owner"]!.GetValue<string>());

        Api.PlantLock("deploy-lock/staging", LockJson("staging", "carol", now.AddHours(-3), now.AddMinutes(-1)));
        var listing = await Store().ListAsync(Repository, CancellationToken.None);
        Assert.Equal("production", Assert.Single(listing.Locks).Environment);
        Assert.False(Api.GitRefs.ContainsKey("refs/heads/deploy-lock/staging"));
    }

    [Fact]
    public async Task An_expired_lock_that_cannot_be_removed_with_a_read_only_token_still_counts_as_absent()
    {
        var now = DateTimeOffset.UtcNow;
        Api.PlantLock("deploy-lock/production", LockJson("production", "alice", now.AddHours(-3), now.AddHours(-1)));
        Api.ContentsPermission = "read";
        var notes = new List<string>();

        Assert.Null(await Store(notes).FindAsync(Repository, "production", CancellationToken.None));
        Assert.Single(Api.GitRefs);
        Assert.Contains(notes, n => n.Contains("could not be removed", StringComparison.Ordinal) && n.Contains("contents: write", StringComparison.Ordinal));
    }

    public static TheoryData<string, byte[], string> UnreadableFiles => new()
    {
        { "not JSON", "{ owner: alice"u8.ToArray(), "is not JSON" },
        { "not UTF-8", [0x7B, 0xFF, 0xFE, 0x7D], "is not JSON" },
        { "an array", "[1,2]"u8.ToArray(), "is not a JSON object" },
        { "too large", Encoding.UTF8.GetBytes(LockJson("production", "alice", DateTimeOffset.UtcNow, reason: new string('x', 9000))), "more than 8192" },
        { "another environment", Encoding.UTF8.GetBytes(LockJson("staging", "alice", DateTimeOffset.UtcNow)), "names another environment ('staging')" },
        { "no owner", "{\"environment\":\"production\",\"created_at\":\"2026-01-01T00:00:00Z\"}"u8.ToArray(), "no `owner`" },
        { "an owner with a newline", Encoding.UTF8.GetBytes(LockJson("production", "alice\n::error::x", DateTimeOffset.UtcNow)), "not a GitHub login" },
        { "a bad time", "{\"environment\":\"production\",\"owner\":\"alice\",\"created_at\":\"yesterday\"}"u8.ToArray(), "not an ISO 8601 time" },
        { "a nested reason", "{\"environment\":\"production\",\"owner\":\"alice\",\"created_at\":\"2026-01-01T00:00:00Z\",\"reason\":{\"a\":1}}"u8.ToArray(), "not text" },
        { "too deep", Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 2000) + new string(']', 2000) + "}"), "is not JSON" },
    };

    [Theory]
    [MemberData(nameof(UnreadableFiles))]
    public async Task An_unreadable_lock_json_is_a_lock_held_by_unknown_that_says_why(string kind, byte[] content, string problem)
    {
        Api.PlantBranch("deploy-lock/production", new Dictionary<string, byte[]> { ["lock.json"] = content });

        var found = await Store().FindAsync(Repository, "production", CancellationToken.None);

        Assert.True(found is not null, kind);
        Assert.Equal(EnvironmentLock.UnknownOwner, found.Owner);
        Assert.Contains(problem, found.Problem, StringComparison.Ordinal);
        Assert.False(found.IsHeldBy("alice"));
        Assert.Contains("delete the branch deploy-lock/production", found.Describe(DateTimeOffset.UtcNow), StringComparison.Ordinal);
        // Nobody but an admin (or a person deleting the branch) removes it.
        Assert.IsType<UnlockOutcome.Refused>(await Store().UnlockAsync(Repository, "production", "alice", requesterIsAdmin: false, CancellationToken.None));
        Assert.IsType<LockOutcome.Refused>(await Store().LockAsync(Repository, "production", "alice", null, null, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_lock_branch_without_lock_json_or_with_a_foreign_name_is_listed_as_unknown()
    {
        Api.PlantBranch("deploy-lock/production", new Dictionary<string, byte[]> { ["README.md"] = "hand-made"u8.ToArray() });
        Api.PlantLock("deploy-lock/Not%zzEncoded", LockJson("x", "alice", DateTimeOffset.UtcNow));

        var listing = await Store().ListAsync(Repository, CancellationToken.None);

        Assert.Equal(2, listing.Locks.Count);
        Assert.All(listing.Locks, l => Assert.Equal(EnvironmentLock.UnknownOwner, l.Owner));
        Assert.Contains(listing.Locks, l => l.Problem!.Contains("lock.json is missing", StringComparison.Ordinal));
        Assert.Contains(listing.Locks, l => l.Problem!.Contains("not a name the runner writes", StringComparison.Ordinal));
    }

    public static TheoryData<string> HostileNames => new()
    {
        "..", "a..b", "a\\b", "a/b", "release/2026", "-x", ".hidden", "prod.lock", "trailing.", "a b", "tab\there", "nul\0x", "bell\u0007", "100%", "%41",
        "a~b^c:d?e*f[g", "@{-1}", "ünïcødé 🚀", "@", "a//b", "x.lock/y",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task A_hostile_environment_name_becomes_one_valid_branch_and_reads_back(string environment)
    {
        var store = Store();
        var taken = Assert.IsType<LockOutcome.Taken>(await store.LockAsync(Repository, environment, "alice", "why", null, null, CancellationToken.None));

        var branch = Assert.Single(Api.GitRefs.Keys);
        Assert.Equal("refs/heads/" + taken.Lock.Branch, branch);
        Assert.Equal(2, branch["refs/heads/".Length..].Count(c => c == '/') + 1);
        await AssertValidBranchAsync(branch);
        Assert.Equal(environment.ToLowerInvariant(), LockBranch.Decode(taken.Lock.Branch[LockBranch.Prefix.Length..]));
        Assert.Equal("alice", (await store.FindAsync(Repository, environment, CancellationToken.None))!.Owner);
        Assert.Equal(environment, Assert.Single((await store.ListAsync(Repository, CancellationToken.None)).Locks).Environment);
        Assert.IsType<UnlockOutcome.Released>(await store.UnlockAsync(Repository, environment, "alice", false, CancellationToken.None));
        Assert.Empty(Api.GitRefs);
    }

    [Fact]
    public async Task A_name_that_cannot_be_a_branch_cannot_be_locked_and_is_never_found_locked()
    {
        var store = Store();
        foreach (var name in new[] { "", "lone \ud800 surrogate", new string('é', 100) })
        {
            var error = await Assert.ThrowsAsync<ConfigurationException>(() => store.LockAsync(Repository, name, "alice", null, null, null, CancellationToken.None));
            Assert.Matches("empty|not valid Unicode|too long to lock: its branch name would be 600 characters, more than 200", error.Message);
            Assert.Null(await store.FindAsync(Repository, name, CancellationToken.None));
        }

        Assert.Empty(Api.Requests);
    }

    [Theory]
    [InlineData("none", "read")]
    [InlineData("read", "write")]
    public async Task Without_the_contents_permission_the_error_says_which_permission_to_add(string permission, string needed)
    {
        Api.ContentsPermission = permission;
        var store = Store();

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => permission == "none"
            ? store.FindAsync(Repository, "production", CancellationToken.None)
            : store.LockAsync(Repository, "production", "alice", null, null, null, CancellationToken.None));

        Assert.Contains("forbidden (403, Resource not accessible by integration)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"`permissions: contents: {needed}`", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("deployments: write", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_answer_to_the_branch_creation_is_retried_and_finds_its_own_lock()
    {
        Api.LoseGitAnswers(FakeGitHubApi.GitCall("POST", "/git/refs"));

        var outcome = await Store().LockAsync(Repository, "production", "alice", null, null, null, CancellationToken.None);

        Assert.IsType<LockOutcome.Taken>(outcome);
        Assert.Equal(2, Api.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/git/refs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_lost_answer_to_an_unlock_counts_as_released()
    {
        Api.PlantLock("deploy-lock/production", LockJson("production", "alice", DateTimeOffset.UtcNow));
        Api.LoseGitAnswers(FakeGitHubApi.GitCall("DELETE", "/git/refs/"));

        Assert.IsType<UnlockOutcome.Released>(await Store().UnlockAsync(Repository, "production", "alice", false, CancellationToken.None));
        Assert.Empty(Api.GitRefs);
    }

    public static TheoryData<string, string> MalformedReads => new()
    {
        { "/git/ref/", "not JSON at all" },
        { "/git/ref/", "[1]" },
        { "/git/ref/", "{\"ref\":\"refs/heads/other\",\"object\":{\"sha\":\"0000000000000000000000000000000000000000\"}}" },
        { "/git/ref/", "{\"ref\":\"refs/heads/deploy-lock/production\",\"object\":{\"sha\":\"not-a-sha\"}}" },
        { "/contents/", "{\"type\":\"file\",\"encoding\":\"base64\",\"content\":\"%%%\"}" },
        { "/contents/", "{\"type\":\"file\",\"encoding\":\"none\",\"size\":10}" },
        { "/contents/", "\"a string\"" },
    };

    [Theory]
    [MemberData(nameof(MalformedReads))]
    public async Task A_malformed_answer_to_a_lock_check_is_an_api_error_never_no_lock(string call, string body)
    {
        Api.PlantLock("deploy-lock/production", LockJson("production", "alice", DateTimeOffset.UtcNow));
        Api.Malformed(FakeGitHubApi.GitCall("GET", call), 200, "application/json", body, times: 10);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => Store().FindAsync(Repository, "production", CancellationToken.None));

        Assert.StartsWith("Could not ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_reads_at_most_a_hundred_branches_and_says_so()
    {
        for (var i = 0; i < 105; i++) Api.PlantLock($"deploy-lock/env{i:000}", LockJson($"env{i:000}", "alice", DateTimeOffset.UtcNow));

        var listing = await Store().ListAsync(Repository, CancellationToken.None);

        Assert.True(listing.Truncated);
        Assert.Equal(IEnvironmentLocks.MaxListed, listing.Locks.Count);
    }

    /// <summary>The branch name as git itself judges it (the real git binary).</summary>
    private static async Task AssertValidBranchAsync(string fullName)
    {
        var result = await CliWrap.Cli.Wrap("git").WithArguments(["check-ref-format", fullName]).WithValidation(CliWrap.CommandResultValidation.None).ExecuteAsync();
        Assert.True(result.ExitCode == 0, $"git check-ref-format refused {fullName}");
    }
}
