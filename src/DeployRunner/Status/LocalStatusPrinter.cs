using DeployRunner.Workflow;

namespace DeployRunner.Status;

/// <summary>
/// Outside Actions (no token), statuses are printed instead of posted, so a user can try a
/// deploy script on their own machine and see exactly what GitHub would be told.
/// </summary>
public sealed class LocalStatusPrinter(IWorkflowLog log) : IGitHubDeployments
{
    public Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken)
    {
        var url = status.EnvironmentUrl is null ? "" : $" ({status.EnvironmentUrl})";
        log.Info($"[local] deployment {deploymentId} status: {status.State.ToApiName()}: {status.Description}{url}");
        return Task.CompletedTask;
    }
}
