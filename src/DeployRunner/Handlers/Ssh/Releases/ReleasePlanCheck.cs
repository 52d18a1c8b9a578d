using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// A release run's checks that need the plan but no server, made while preparing (before
/// <c>in_progress</c>): what <c>upload</c> names exists inside the working directory, a
/// <c>rollback</c> names a release that can exist, and the health-check URL is whole. Without
/// them each would be found after the status, or on the servers, or after the switch.
/// </summary>
internal static class ReleasePlanCheck
{
    public static void Check(ReleaseSettings releases, DeploymentPlan plan, CancellationToken cancellationToken)
    {
        if (plan.IsRemoval) return;
        if (plan.IsRollback)
        {
            RollbackRequest.Of(plan);
        }
        else
        {
            UploadSet.Match(releases.Upload, plan.WorkingDirectory, cancellationToken);
        }

        releases.HealthCheck?.CheckFor(plan.EnvironmentUrl);
    }
}
