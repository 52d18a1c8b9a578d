namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// What a release run may spend after a stop, carved out of the handler's share of the runner's
/// shutdown budget (<see cref="ShutdownBudget.HandlerStop"/>, 3.5 s by default), so that the
/// release's clean-up always ends before the runner stops waiting for the handler. The lock goes
/// last, in <see cref="Unlock"/>; before it, a stop in phase one removes the partial releases
/// (<see cref="AbortPartials"/>) and a stop in phase two switches the servers back
/// (<see cref="Rollback"/>, one quick <c>mv -T</c> per server, all at once).
/// </summary>
internal sealed record ReleaseStopBudget(TimeSpan Rollback, TimeSpan AbortPartials, TimeSpan Unlock)
{
    /// <summary>The lock's removal: one short exec per server; a lock left behind goes stale on its own.</summary>
    private static readonly TimeSpan UnlockShare = TimeSpan.FromSeconds(0.4);

    /// <summary>Between the clean-up's end and the handler's deadline: the result still has to be made and returned.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(0.1);

    /// <summary>With the default 3.5 s: rollback 3 s, partial releases removed within 1.5 s, lock 0.4 s.</summary>
    public static ReleaseStopBudget From(ShutdownBudget shutdown)
    {
        var beforeUnlock = shutdown.HandlerStop - UnlockShare - Margin;
        if (beforeUnlock < TimeSpan.Zero) beforeUnlock = TimeSpan.Zero;
        // Removing a partial release is not worth more than half of it: a partial left behind is
        // named as such and removed by the next successful deploy, and the servers' own results must still be told.
        return new ReleaseStopBudget(beforeUnlock, beforeUnlock / 2, UnlockShare);
    }
}
