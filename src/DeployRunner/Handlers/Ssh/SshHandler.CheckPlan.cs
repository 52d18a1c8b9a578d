using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh;

internal sealed partial class SshHandler
{
    /// <summary>Releases: upload, rollback target and health URL checked before any status (Releases/ReleasePlanCheck).</summary>
    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        if (settings.Releases is { } releases) Releases.ReleasePlanCheck.Check(releases, plan, cancellationToken);
    }
}
