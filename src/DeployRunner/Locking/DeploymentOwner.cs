using DeployRunner.Creating;
using DeployRunner.Events;

namespace DeployRunner.Locking;

/// <summary>
/// Whose deployment it is, for a lock: the lock's owner may deploy over their own lock. A
/// deployment the runner created names in its mark the actor who triggered the run (the job's
/// token creates it, so GitHub's <c>creator</c> is only the Actions bot). That mark is believed
/// when this run wrote it, or when a bot created the deployment (a workflow's or an App's token,
/// which only a workflow holds); a person's deployment is theirs, whatever its payload claims,
/// so nobody borrows a lock holder's name by writing it into a payload.
/// </summary>
internal static class DeploymentOwner
{
    public static string? Of(Deployment deployment, string? ownRunId)
    {
        if (RunnerMark.Actor(deployment) is { Length: > 0 } actor && RunnerMark.CreatorRun(deployment) is { } run
            && (run == ownRunId || deployment.Creator?.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase) == true))
        {
            return actor;
        }

        return deployment.Creator;
    }
}
