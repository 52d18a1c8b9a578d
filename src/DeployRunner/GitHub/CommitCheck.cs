namespace DeployRunner.GitHub;

/// <summary>
/// One check of a commit: a commit status (<c>context</c>, <c>state</c>) or a check run
/// (<c>name</c>, its <c>conclusion</c>, or its <c>status</c> while it has none).
/// </summary>
/// <param name="State">success, failure, error, pending; for a check run its conclusion, or queued/in_progress.</param>
internal sealed record CommitCheck(string Name, string State)
{
    /// <summary>
    /// Only success passes, as GitHub's deployments API counts it: pending, skipped and neutral
    /// are not a pass there (a 409 "Commit status checks failed" names them).
    /// </summary>
    public bool Passed => State == "success";
}
