namespace DeployRunner.Locking;

/// <summary>
/// Environment locks, kept in the repository itself so a user can see and remove one without
/// the runner: a lock is the branch <c>deploy-lock/&lt;environment&gt;</c> (<see cref="LockBranch"/>)
/// whose one commit holds <c>lock.json</c> (<see cref="LockFile"/>). The API, for callers:
/// <list type="bullet">
/// <item><see cref="LockAsync"/>: take a lock; <see cref="LockOutcome.Taken"/>, <see cref="LockOutcome.AlreadyHeld"/>
/// (same owner, nothing changed) or <see cref="LockOutcome.Refused"/> with the holder. Two callers at once:
/// creating the branch is atomic on GitHub's side, one wins and the other is refused with the winner.</item>
/// <item><see cref="UnlockAsync"/>: release; <see cref="UnlockOutcome.Released"/>, <see cref="UnlockOutcome.NotLocked"/>
/// or <see cref="UnlockOutcome.Refused"/> (neither the owner nor an admin: the caller checks who is an admin).</item>
/// <item><see cref="FindAsync"/>: one environment's lock or null; <see cref="ListAsync"/>: every lock.</item>
/// </list>
/// An expired lock counts as absent everywhere and its branch is deleted when found (best effort:
/// a check needs only <c>contents: read</c>). A <c>lock.json</c> that cannot be read counts as a
/// lock held by <see cref="EnvironmentLock.UnknownOwner"/> (only an admin, or deleting the branch,
/// removes it). Environment names are compared ignoring case, as GitHub compares them. A name
/// that cannot be a branch (empty, not Unicode, too long) is a <see cref="ConfigurationException"/>
/// from <see cref="LockAsync"/>; <see cref="FindAsync"/> answers null for it, since no lock can exist.
/// Every GitHub failure is a <see cref="GitHub.GitHubApiException"/> whose message says what to do
/// (a 403 names the permission: <c>contents: write</c> to lock and unlock, <c>contents: read</c> to check).
/// </summary>
internal interface IEnvironmentLocks
{
    /// <param name="duration">How long the lock lasts; null for until unlocked.</param>
    /// <param name="runUrl">The workflow run that took it, shown beside the lock.</param>
    Task<LockOutcome> LockAsync(string repository, string environment, string owner, string? reason, TimeSpan? duration, string? runUrl, CancellationToken cancellationToken);

    Task<UnlockOutcome> UnlockAsync(string repository, string environment, string requester, bool requesterIsAdmin, CancellationToken cancellationToken);

    Task<EnvironmentLock?> FindAsync(string repository, string environment, CancellationToken cancellationToken);

    Task<LockListing> ListAsync(string repository, CancellationToken cancellationToken);

    /// <summary>The most lock branches one list reads (each costs one request).</summary>
    public const int MaxListed = 100;
}
