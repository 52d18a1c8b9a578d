using DeployRunner.GitHub;

namespace DeployRunner.ChatOps;

/// <summary>
/// A target's <c>required_contexts</c> against what a commit has: the ones that have not passed,
/// each with its state, so the reply names them before anything is created. A context can be a
/// commit status or a check run; one that has not reported yet is pending. When a name appears
/// more than once (a check re-run), any success counts, as on GitHub's merge box.
/// </summary>
internal static class RequiredChecks
{
    public static IReadOnlyList<CommitCheck> NotPassed(IReadOnlyList<string> required, IReadOnlyList<CommitCheck> checks) =>
        required.Distinct(StringComparer.Ordinal)
            .Select(name =>
            {
                var found = checks.Where(c => string.Equals(c.Name, name, StringComparison.Ordinal)).ToList();
                if (found.Count == 0) return new CommitCheck(name, "pending (not reported)");
                return found.FirstOrDefault(c => c.Passed) ?? found[0];
            })
            .Where(c => !c.Passed)
            .ToList();
}
