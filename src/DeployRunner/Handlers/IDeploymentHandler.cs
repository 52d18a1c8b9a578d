using DeployRunner.Planning;

namespace DeployRunner.Handlers;

/// <summary>
/// Carries out a <see cref="DeploymentPlan"/> on one kind of target. A deployment that fails
/// (a script exits non-zero, a host refuses) is a <see cref="HandlerResult"/>; an exception
/// means the runner itself broke. Cancellation must stop all work the handler started
/// (processes, remote commands) before the returned task completes.
/// </summary>
/// <remarks>
/// No member has a default body: a handler says each answer (even "nothing to add"), and a
/// wrapper (the health check) that did not forward a member added later would not compile.
/// </remarks>
internal interface IDeploymentHandler
{
    Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// True when the plan gives this handler nothing to do (shell and ssh without a script).
    /// A deployment that would do nothing is a configuration error, never a success; a removal
    /// without a <c>remove-script</c> only marks the environment inactive, as documented.
    /// </summary>
    bool HasNothingToRun(DeploymentPlan plan);

    /// <summary>
    /// Whether the plan's script (<c>remove-script</c> for a removal) runs at all: a dry run shows
    /// it only then. A kubectl or release rollback goes back to what was there without it.
    /// </summary>
    bool RunsScript(DeploymentPlan plan);

    /// <summary>
    /// The handler's checks that need the plan (its working directory, task, payload, environment
    /// URL) but no target: run while preparing, before any status is posted, so bad release input
    /// is refused like every other bad input. A problem is a <see cref="ConfigurationException"/>.
    /// </summary>
    void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// <c>dry-run</c>: the handler's part of the plan (where, in what order, with what), after
    /// every check that needs no target. Touches no host or cluster; a problem found is a
    /// <see cref="ConfigurationException"/>.
    /// </summary>
    Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// <c>dry-run</c>: what the handler's own typed settings add after the plan (kubectl's atomic
    /// rollback, the ssh releases' phases). Read from the settings the handler parsed when it was
    /// created, never from the inputs again.
    /// </summary>
    IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan);
}
