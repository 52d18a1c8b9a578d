using DeployRunner.Planning;

namespace DeployRunner.Handlers;

/// <summary>
/// Carries out a <see cref="DeploymentPlan"/> on one kind of target. A deployment that fails
/// (a script exits non-zero, a host refuses) is a <see cref="HandlerResult"/>; an exception
/// means the runner itself broke. Cancellation must stop all work the handler started
/// (processes, remote commands) before the returned task completes.
/// </summary>
public interface IDeploymentHandler
{
    Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// True when the plan gives this handler nothing to do (shell and ssh without a script).
    /// A deployment that would do nothing is a configuration error, never a success; a removal
    /// without a <c>remove-script</c> only marks the environment inactive, as documented.
    /// </summary>
    bool HasNothingToRun(DeploymentPlan plan) => false;

    /// <summary>
    /// The handler's checks that need the plan (its working directory, task, payload, environment
    /// URL) but no target: run while preparing, before any status is posted, so bad release input
    /// is refused like every other bad input. A problem is a <see cref="ConfigurationException"/>.
    /// </summary>
    void CheckPlan(DeploymentPlan plan)
    {
    }

    /// <summary>
    /// <c>dry-run</c>: the handler's part of the plan (where, in what order, with what), after
    /// every check that needs no target. Touches no host or cluster; a problem found is a
    /// <see cref="ConfigurationException"/>.
    /// </summary>
    Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}

public enum HandlerOutcome
{
    /// <summary>Every target did what it was asked: <c>success</c> (or <c>inactive</c> for a removal).</summary>
    Succeeded,

    /// <summary>The deployment itself failed, such as a script exiting non-zero: <c>failure</c>.</summary>
    Failed,

    /// <summary>The runner could not do the work (unreachable host, bad configuration found late): <c>error</c>.</summary>
    Errored,
}

/// <summary>The result of one target: a host, a Kubernetes object, the local script.</summary>
public sealed record TargetResult(string Target, TargetState State, int? ExitCode, TimeSpan Duration, string? Reason = null)
{
    /// <summary>The state as the <c>results</c> output and the step summary spell it.</summary>
    public string Result => State.ToOutputName();
}

/// <param name="ListTargets">
/// Whether the step summary lists the targets: false when the one target is the deployment itself
/// (the shell handler's local script), whose row would repeat the result above it.
/// </param>
public sealed record HandlerResult(HandlerOutcome Outcome, string Reason, IReadOnlyList<TargetResult> Targets, bool ListTargets = true)
{
    /// <summary>The status description to post instead of the runner's own wording (a rollback's "Rolled back to ...").</summary>
    public string? Description { get; init; }

    /// <summary>
    /// On a success: how to undo it when a check that comes after the handler fails (the health
    /// check), given that failure; what it returns is the deployment's result. The kubectl
    /// handler sets it with <c>atomic</c> on; null when nothing would be undone.
    /// </summary>
    public Func<HandlerResult, CancellationToken, Task<HandlerResult>>? Undo { get; init; }

    public static HandlerResult Succeeded(string reason, params TargetResult[] targets) => new(HandlerOutcome.Succeeded, reason, targets);

    public static HandlerResult Failed(string reason, params TargetResult[] targets) => new(HandlerOutcome.Failed, reason, targets);

    public static HandlerResult Errored(string reason, params TargetResult[] targets) => new(HandlerOutcome.Errored, reason, targets);
}
