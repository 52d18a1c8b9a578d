using DeployRunner.GitHub;

namespace DeployRunner.Locking;

/// <summary>
/// The one check every deployment passes before <c>in_progress</c>, whichever way it came (a
/// <c>deployment</c> event from any creator, input <c>deployment-id</c>, a deployment the runner
/// created, a removal): is its environment locked, and by whom? The runner itself never takes a
/// lock, so a cancelled or killed job cannot leave one behind.
/// </summary>
internal sealed class LockGuard(IEnvironmentLocks? locks, TimeProvider time)
{
    public async Task<LockVerdict> CheckAsync(string repository, string environment, string? owner, CancellationToken cancellationToken)
    {
        if (locks is null) return new LockVerdict.NotChecked();
        EnvironmentLock? found;
        try
        {
            found = await locks.FindAsync(repository, environment, cancellationToken);
        }
        catch (GitHubApiException e)
        {
            var unreachable = e.InnerException is HttpRequestException or Octokit.ApiException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError };
            return new LockVerdict.CheckFailed($"Could not check whether '{LockBranch.Shown(environment)}' is locked: {e.Message}", unreachable);
        }

        if (found is null) return new LockVerdict.Free();
        if (found.IsHeldBy(owner)) return new LockVerdict.OwnersOwn(found);
        return new LockVerdict.Locked(found, $"Environment {found.Describe(time.GetUtcNow())}");
    }

    /// <summary>What the log says of a refusal: the lock, and the two ways out.</summary>
    public static string Refusal(string what, string environment, LockVerdict.Locked locked) =>
        $"{what} refused: {locked.Description}. "
        + (locked.Lock.Problem is null
            ? $"Ask @{locked.Lock.Owner} to unlock it (`/unlock {environment}`), or let it expire; an admin can unlock it, or delete the branch {locked.Lock.Branch}."
            : $"Delete the branch {locked.Lock.Branch} (or have an admin `/unlock {environment}`) if nobody holds it.");
}
