using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    /// <summary>
    /// A <c>rollback</c> deployment that names a release is refused before any status: the kubectl
    /// handler goes back one revision only (the README says why), and quietly going somewhere
    /// else than asked would be worse than saying no.
    /// </summary>
    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        if (!plan.IsRollback || RollbackRequest.Of(plan) is not { } wanted) return;
        throw new ConfigurationException(
            $"The rollback deployment asks for release {wanted} (payload `{RollbackRequest.PayloadKey}`), but the kubectl handler can only go back to each workload's previous revision. "
            + $"Create the rollback deployment without `{RollbackRequest.PayloadKey}`, or deploy the ref of deployment {wanted} again.");
    }
}
