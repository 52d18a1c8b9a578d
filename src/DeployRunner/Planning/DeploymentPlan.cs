using DeployRunner.Events;

namespace DeployRunner.Planning;

/// <summary>
/// What the runner is about to do: one deployment, the handler to do it with, the core settings
/// parsed once into their types, and the deadline. Built once, before any status is posted. The
/// handler's own settings are parsed by the handler when it is created (<see cref="PreparedDeployment"/>).
/// </summary>
/// <param name="SkipSuperseded">Input <c>skip-superseded</c>: skip this deployment when a newer one to the same environment exists.</param>
internal sealed record DeploymentPlan(
    Deployment Deployment,
    string Repository,
    string HandlerName,
    string? Script,
    string WorkingDirectory,
    string? EnvironmentUrl,
    TimeSpan Timeout,
    bool SkipSuperseded,
    IReadOnlyDictionary<string, string> DeploymentVariables)
{
    public bool IsRemoval => Deployment.IsRemoval;

    /// <summary><c>rollback</c>: put the environment back on its previous release (each handler decides what that is).</summary>
    public bool IsRollback => string.Equals(Deployment.Task, "rollback", StringComparison.OrdinalIgnoreCase);

    /// <summary>Human words for the status description and the log.</summary>
    public string Verb => IsRemoval ? "Removing" : IsRollback ? "Rolling back" : Deployment.Task.Equals("deploy", StringComparison.OrdinalIgnoreCase) ? "Deploying" : $"Running {Deployment.Task} for";

    /// <summary>
    /// What this deployment does, whole: "Deploying main to staging", "Removing pr-1", "Rolling
    /// back production" (a rollback goes back to the release before, not to the event's ref, so
    /// the ref is not named), "Running migrate for main to staging".
    /// </summary>
    public string Action => IsRemoval || IsRollback ? $"{Verb} {Deployment.Environment}" : $"{Verb} {DisplayRef} to {Deployment.Environment}";

    public string DisplayRef => Deployment.Ref.Length > 0 ? Deployment.Ref : ShortSha;

    public string ShortSha => Deployment.Sha.Length > 7 ? Deployment.Sha[..7] : Deployment.Sha;
}
