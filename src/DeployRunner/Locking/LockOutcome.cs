namespace DeployRunner.Locking;

/// <summary>What <see cref="IEnvironmentLocks.LockAsync"/> did.</summary>
internal abstract record LockOutcome
{
    private LockOutcome()
    {
    }

    /// <summary>The lock is taken: this call made the branch.</summary>
    public sealed record Taken(EnvironmentLock Lock) : LockOutcome;

    /// <summary>The requester already held the lock; nothing changed (its reason and expiry are the old ones).</summary>
    public sealed record AlreadyHeld(EnvironmentLock Lock) : LockOutcome;

    /// <summary>Someone else holds it (or an unreadable lock does): <see cref="Holder"/> says who, why and since when.</summary>
    public sealed record Refused(EnvironmentLock Holder) : LockOutcome;
}

/// <summary>What <see cref="IEnvironmentLocks.UnlockAsync"/> did.</summary>
internal abstract record UnlockOutcome
{
    private UnlockOutcome()
    {
    }

    /// <summary>The branch is deleted; <see cref="Lock"/> is what it held.</summary>
    public sealed record Released(EnvironmentLock Lock) : UnlockOutcome;

    /// <summary>There was no lock (or only an expired one, now cleaned up).</summary>
    public sealed record NotLocked : UnlockOutcome;

    /// <summary>The requester is neither the owner nor an admin; nothing changed.</summary>
    public sealed record Refused(EnvironmentLock Holder) : UnlockOutcome;
}

/// <summary>Every lock of a repository, oldest first; <see cref="Truncated"/> when there were more than <see cref="IEnvironmentLocks.MaxListed"/> branches.</summary>
internal sealed record LockListing(IReadOnlyList<EnvironmentLock> Locks, bool Truncated);
