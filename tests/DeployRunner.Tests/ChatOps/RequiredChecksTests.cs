using DeployRunner.ChatOps;
using DeployRunner.GitHub;

namespace DeployRunner.Tests.ChatOps;

/// <summary>A target's required contexts against a commit's statuses and check runs: only success passes.</summary>
public sealed class RequiredChecksTests
{
    [Fact]
    public void Each_required_check_that_has_not_passed_is_named_with_its_state()
    {
        IReadOnlyList<CommitCheck> checks =
        [
            new("build", "success"), new("lint", "failure"), new("e2e", "in_progress"), new("docs", "skipped"), new("flaky", "failure"), new("flaky", "success"),
        ];

        var notPassed = RequiredChecks.NotPassed(["build", "lint", "e2e", "docs", "flaky", "deploy-preview"], checks);

        Assert.Equal(
            [new CommitCheck("lint", "failure"), new CommitCheck("e2e", "in_progress"), new CommitCheck("docs", "skipped"), new CommitCheck("deploy-preview", "pending (not reported)")],
            notPassed);
    }

    [Fact]
    public void No_required_checks_means_nothing_to_wait_for() => Assert.Empty(RequiredChecks.NotPassed([], [new("build", "failure")]));

    [Theory]
    [InlineData("write", "maintain", true, false)]
    [InlineData("write", "write", true, false)]
    [InlineData("write", null, true, false)]
    [InlineData("admin", "admin", true, true)]
    [InlineData("read", "triage", false, false)]
    [InlineData("read", "read", false, false)]
    [InlineData("none", "none", false, false)]
    [InlineData("read", "custom-role", false, false)]
    public void Write_maintain_and_admin_may_run_commands(string permission, string? role, bool canWrite, bool isAdmin)
    {
        var collaborator = new CollaboratorPermission(permission, role);
        Assert.Equal((canWrite, isAdmin), (collaborator.CanWrite, collaborator.IsAdmin));
    }
}
