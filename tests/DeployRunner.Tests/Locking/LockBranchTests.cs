using DeployRunner.Locking;

namespace DeployRunner.Tests.Locking;

public sealed class LockBranchTests
{
    [Theory]
    [InlineData("production", "deploy-lock/production")]
    [InlineData("Production", "deploy-lock/production")]
    [InlineData("review-pr-12", "deploy-lock/review-pr-12")]
    [InlineData("v1.2", "deploy-lock/v1.2")]
    [InlineData("..", "deploy-lock/%2E%2E")]
    [InlineData("a..b", "deploy-lock/a.%2Eb")]
    [InlineData("prod.lock", "deploy-lock/prod%2Elock")]
    [InlineData("-x", "deploy-lock/%2Dx")]
    [InlineData("a/b c", "deploy-lock/a%2Fb%20c")]
    [InlineData("a\\b", "deploy-lock/a%5Cb")]
    [InlineData("100%", "deploy-lock/100%25")]
    [InlineData("é", "deploy-lock/%C3%A9")]
    [InlineData("trailing.", "deploy-lock/trailing%2E")]
    public void A_name_is_percent_encoded_where_git_would_refuse_it(string environment, string branch) =>
        Assert.Equal(branch, LockBranch.For(environment));

    [Theory]
    [InlineData("%41")]
    [InlineData("Production")]
    [InlineData("a%2")]
    [InlineData("a/b")]
    [InlineData("%FF")]
    [InlineData("é")]
    [InlineData("")]
    public void Only_the_canonical_spelling_decodes(string component) =>
        Assert.Null(LockBranch.Decode(component));

    [Fact]
    public void Two_names_never_share_a_branch()
    {
        var names = new[] { "a b", "a%20b", "a.b", "a%2Eb", "..", ".%2E", "%", "%25", "x.lock", "x%2Elock" };
        var branches = names.Select(LockBranch.For).ToList();
        Assert.Equal(branches.Count, branches.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Equal(name.ToLowerInvariant(), LockBranch.Decode(LockBranch.Encode(name))));
    }

    [Fact]
    public void An_expired_lock_is_expired_and_an_unreadable_one_never_is()
    {
        var now = DateTimeOffset.UtcNow;
        var held = new EnvironmentLock("production", "deploy-lock/production", new string('a', 40), "alice", null, now.AddHours(-2), now.AddSeconds(-1), null);
        Assert.True(held.IsExpired(now));
        Assert.False((held with { ExpiresAt = null }).IsExpired(now));
        Assert.False(EnvironmentLock.Unreadable("production", "deploy-lock/production", new string('a', 40), "broken").IsExpired(now));
        Assert.Equal("locked by @alice 2h 0m ago (no reason given) (no expiry)", (held with { ExpiresAt = null }).Describe(now));
    }
}
