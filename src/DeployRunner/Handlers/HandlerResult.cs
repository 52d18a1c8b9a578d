namespace DeployRunner.Handlers;

/// <param name="ListTargets">
/// Whether the step summary lists the targets: false when the one target is the deployment itself
/// (the shell handler's local script), whose row would repeat the result above it.
/// </param>
internal sealed record HandlerResult(HandlerOutcome Outcome, string Reason, IReadOnlyList<TargetResult> Targets, bool ListTargets = true)
{
    /// <summary>The status description to post instead of the runner's own wording (a rollback's "Rolled back to ...").</summary>
    public string? Description { get; init; }

    /// <summary>
    /// After a stop (SIGINT, timeout): what the handler did about it, short enough for the status
    /// ("the rollback could not finish: 2 servers may still be on 72-bbbbbbb"). The runner puts
    /// why it stopped in front and keeps it, where it would otherwise post only its own stop message.
    /// </summary>
    public string? StopDescription { get; init; }

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
