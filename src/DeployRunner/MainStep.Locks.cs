using DeployRunner.Creating;
using DeployRunner.GitHub;
using DeployRunner.Locking;
using DeployRunner.Planning;
using DeployRunner.Running;

namespace DeployRunner;

/// <summary>
/// Environment locks on every deploy path: a deployment to an environment someone else locked
/// is refused before <c>in_progress</c> with an <c>error</c> status naming the lock; a push or an
/// updated pull request does not even create one (a warning says why, the run stays green); a
/// lock that cannot be checked refuses the deployment, never lets it run blind.
/// </summary>
internal sealed partial class MainStep
{
    /// <summary>The exit code when the deployment is refused, null when it may start.</summary>
    private async Task<int?> RefuseIfLockedAsync(DeploymentPlan plan, string? owner, LockVerdict verdict)
    {
        var deployment = plan.Deployment;
        switch (verdict)
        {
            case LockVerdict.Locked locked:
                _log.Error(LockGuard.Refusal($"Deployment {deployment.Id} to '{deployment.Environment}'{(owner is null ? "" : $" by @{owner}")}", deployment.Environment, locked), "Environment locked");
                return await _runner.RefuseAsync(plan, locked.Description, _shutdown);
            case LockVerdict.CheckFailed failed:
                _log.Error($"{failed.Message} Nothing was started: a deployment never runs without knowing whether its environment is locked.", "Lock not checked");
                // Like the skip-superseded check: a GitHub that does not answer would not take the status either.
                if (!failed.Unreachable) await _runner.RefuseAsync(plan, "Error: the environment lock could not be checked; nothing was started.", _shutdown);
                return ExitCodes.Failed;
            case LockVerdict.OwnersOwn own:
                _log.Untrusted($"'{deployment.Environment}' is {own.Lock.Describe(DateTimeOffset.UtcNow)}: this deployment is @{own.Lock.Owner}'s own, so it goes ahead.");
                return null;
            default:
                return null;
        }
    }

    private void ShowLock(string environment, string? owner, LockVerdict verdict) =>
        _log.Untrusted(verdict switch
        {
            LockVerdict.Free => $"Dry run: '{environment}' is not locked.",
            LockVerdict.OwnersOwn own => $"Dry run: '{environment}' is {own.Lock.Describe(DateTimeOffset.UtcNow)}; a deployment by @{owner} would go ahead (its own lock).",
            LockVerdict.Locked locked => $"Dry run: {locked.Description}; a real run would be refused{(owner is null ? "" : $" (the deployment is @{owner}'s)")}.",
            LockVerdict.CheckFailed failed => $"Dry run: {failed.Message}; a real run would be refused.",
            _ => $"Dry run: whether '{environment}' is locked was not checked (no token).",
        });

    /// <summary>Why a closed pull request's review app may not be removed (locked by someone other than who closed it), or null.</summary>
    private async Task<string?> RefuseLockedRemovalAsync(string environment, CancellationToken cancellationToken) =>
        await _locks.CheckAsync(_repository, environment, _environment.Actor, cancellationToken) switch
        {
            LockVerdict.Locked locked => LockGuard.Refusal($"Removing '{environment}'{(_environment.Actor is null ? "" : $" (pull request closed by @{_environment.Actor})")}", environment, locked) + " The review app is left running.",
            LockVerdict.CheckFailed failed => $"{failed.Message} The review app is left running: a removal never runs without knowing whether its environment is locked.",
            _ => null,
        };

    /// <summary>
    /// A push or an updated pull request deploys automatically: over someone else's lock it does
    /// not even create the deployment (Deliverybot skipped them too), and the run stays green with a
    /// warning. True when the target is skipped, false when it deploys; null when the lock could
    /// not be checked (the error is logged: nothing is created, the run fails).
    /// </summary>
    private async Task<bool?> SkipLockedAsync(Configuration.DeployTarget target, NewDeployment request, CreationTrigger trigger)
    {
        switch (await _locks.CheckAsync(_repository, request.Environment, _environment.Actor, _shutdown))
        {
            case LockVerdict.Locked locked:
                _log.Warning(
                    $"Target `{target.Name}` not deployed: {locked.Description}. A {trigger.EventName} does not deploy over a lock; no deployment was created. "
                    + $"Deploy it once the lock is gone (`/unlock {request.Environment}`, or when it expires), or let @{locked.Lock.Owner} deploy it.",
                    "Environment locked");
                return true;
            case LockVerdict.CheckFailed failed:
                _log.Error($"{failed.Message} No deployment was created: a {trigger.EventName} never deploys without knowing whether the environment is locked.", "Lock not checked");
                return null;
            default:
                return false;
        }
    }
}
