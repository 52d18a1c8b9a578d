using DeployRunner.GitHub;
using Octokit;

namespace DeployRunner.Locking;

/// <summary>
/// <see cref="IEnvironmentLocks"/> over GitHub's git data API. Taking a lock makes a tree with
/// <c>lock.json</c> and a commit without parents, then creates the branch: <c>POST /git/refs</c>
/// is atomic, so of two runners (or <c>/lock</c> comments) at once one creates it and the other
/// gets 422 "Reference already exists", reads the holder and is refused
/// (https://docs.github.com/en/rest/git/refs#create-a-reference). The commit is unreachable from
/// every other branch and GitHub collects it once the branch is deleted.
/// </summary>
internal sealed partial class GitHubEnvironmentLocks(IConnection connection, TimeProvider time, Action<string>? onNote = null) : IEnvironmentLocks
{
    public static GitHubEnvironmentLocks Create(Uri apiBaseAddress, string token, HttpMessageHandler handler, TimeProvider time, Action<string>? onNote = null) =>
        new(OctokitGitHubDeployments.Connect(apiBaseAddress, token, handler), time, onNote);

    /// <summary>The longest lock: a year. A longer one is a typo, and a lock must never be forever by accident.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    public async Task<LockOutcome> LockAsync(string repository, string environment, string owner, string? reason, TimeSpan? duration, string? runUrl, CancellationToken cancellationToken)
    {
        var branch = LockBranch.For(environment);
        if (owner.Length is 0 or > LockFile.MaxOwnerLength || owner.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new ConfigurationException($"A lock's owner must be a GitHub login; '{LockBranch.Shown(owner)}' is not one.");
        if (duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration))
            throw new ConfigurationException($"A lock lasts more than no time and at most {MaxDuration.TotalDays:0} days; {d} is outside that.");

        var now = time.GetUtcNow();
        var expires = now + duration;
        var kept = reason is null ? null : new string(reason.Take(LockFile.MaxReasonLength).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        var content = LockFile.Write(environment, owner, kept, now, expires, runUrl);
        var commit = await CreateLockCommitAsync(repository, branch, content, $"Lock {environment} for @{owner}", cancellationToken);
        var mine = new EnvironmentLock(environment, branch, commit, owner, kept, now, expires, runUrl);

        // Two rounds: the branch may hold an expired lock (deleted, then created again), or it may
        // vanish between the refusal and the read. A third change within one call is a race we report.
        for (var round = 0; round < 2; round++)
        {
            if (await TryCreateBranchAsync(repository, branch, commit, cancellationToken)) return new LockOutcome.Taken(mine);
            var holder = await ReadAsync(repository, environment, branch, cancellationToken);
            if (holder is null) continue;
            // A retried create whose first answer was lost finds the branch it made itself.
            if (holder.CommitSha == commit) return new LockOutcome.Taken(mine);
            if (holder.IsExpired(time.GetUtcNow()))
            {
                await DeleteBranchAsync(repository, branch, "remove the expired lock", cancellationToken);
                continue;
            }

            return holder.IsHeldBy(owner) ? new LockOutcome.AlreadyHeld(holder) : new LockOutcome.Refused(holder);
        }

        throw new GitHubApiException($"Could not lock '{LockBranch.Shown(environment)}': the branch {branch} changed under every attempt (others are locking and unlocking it at the same time). Try again.", mayHaveTakenEffect: false);
    }

    public async Task<UnlockOutcome> UnlockAsync(string repository, string environment, string requester, bool requesterIsAdmin, CancellationToken cancellationToken)
    {
        var holder = await FindAsync(repository, environment, cancellationToken);
        if (holder is null) return new UnlockOutcome.NotLocked();
        if (!holder.IsHeldBy(requester) && !requesterIsAdmin) return new UnlockOutcome.Refused(holder);
        // Already gone (another unlock at the same time) is as good as released.
        await DeleteBranchAsync(repository, holder.Branch, $"unlock '{LockBranch.Shown(environment)}'", cancellationToken);
        return new UnlockOutcome.Released(holder);
    }

    public async Task<EnvironmentLock?> FindAsync(string repository, string environment, CancellationToken cancellationToken)
    {
        string branch;
        try
        {
            branch = LockBranch.For(environment);
        }
        catch (ConfigurationException)
        {
            // A name that cannot be a branch cannot be locked either.
            return null;
        }

        var found = await ReadAsync(repository, environment, branch, cancellationToken);
        return found is null ? null : await UnlessExpiredAsync(repository, found, cancellationToken);
    }

    public async Task<LockListing> ListAsync(string repository, CancellationToken cancellationToken)
    {
        var (branches, truncated) = await ListBranchesAsync(repository, cancellationToken);
        var locks = new List<EnvironmentLock>();
        foreach (var (branch, commit) in branches)
        {
            var component = branch[LockBranch.Prefix.Length..];
            var environment = LockBranch.Decode(component);
            var found = environment is null
                ? EnvironmentLock.Unreadable(component, branch, commit, $"the branch {branch} is not a name the runner writes (a percent-encoded environment)")
                : await ReadFileAsync(repository, environment, branch, commit, cancellationToken);
            if (await UnlessExpiredAsync(repository, found, cancellationToken) is { } current) locks.Add(current);
        }

        return new LockListing(locks.OrderBy(l => l.CreatedAt ?? DateTimeOffset.MinValue).ThenBy(l => l.Branch, StringComparer.Ordinal).ToList(), truncated);
    }

    /// <summary>The branch's lock as it is, expired or not; null when there is no branch.</summary>
    private async Task<EnvironmentLock?> ReadAsync(string repository, string environment, string branch, CancellationToken cancellationToken) =>
        await BranchCommitAsync(repository, branch, cancellationToken) is { } commit
            ? await ReadFileAsync(repository, environment, branch, commit, cancellationToken)
            : null;

    /// <summary>
    /// An expired lock counts as absent; its branch is deleted on the way. A check needs only
    /// <c>contents: read</c>, so a failed delete is a note, not an error: the lock is still expired.
    /// </summary>
    private async Task<EnvironmentLock?> UnlessExpiredAsync(string repository, EnvironmentLock found, CancellationToken cancellationToken)
    {
        if (!found.IsExpired(time.GetUtcNow())) return found;
        try
        {
            await DeleteBranchAsync(repository, found.Branch, "remove the expired lock", cancellationToken);
            onNote?.Invoke($"Removed the expired lock of '{LockBranch.Shown(found.Environment)}' (branch {found.Branch}, by @{found.Owner}, expired {EnvironmentLock.Age(time.GetUtcNow() - found.ExpiresAt!.Value)} ago).");
        }
        catch (GitHubApiException e)
        {
            onNote?.Invoke($"The lock of '{LockBranch.Shown(found.Environment)}' expired and counts as absent, but its branch {found.Branch} could not be removed: {e.Message}");
        }

        return null;
    }
}
