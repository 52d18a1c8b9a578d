using DeployRunner.Events;
using DeployRunner.Workflow;

namespace DeployRunner.GitHub;

/// <summary>
/// Outside Actions (no token), statuses are printed instead of posted, so a user can try a
/// deploy script on their own machine and see exactly what GitHub would be told. There is no
/// API to ask, so it knows no other deployments: nothing is ever superseded locally.
/// </summary>
internal sealed class LocalStatusPrinter(IWorkflowLog log) : IGitHubDeployments
{
    public Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken)
    {
        var url = status.EnvironmentUrl is null ? "" : $" ({status.EnvironmentUrl})";
        // A failure or an error is always logged as an error just before its status is posted,
        // with the same reason: printing the description again would show every error twice.
        var description = status.State is DeploymentState.Failure or DeploymentState.Error
            ? " (its description is the error above)"
            : $": {status.FullDescription}";
        log.Info($"[local] deployment {deploymentId} status: {status.State.ToApiName()}{description}{url}");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(string repository, DeploymentFilter filter, int? limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Deployment>>([]);

    public Task<Deployment> GetDeploymentAsync(string repository, long deploymentId, CancellationToken cancellationToken) =>
        throw new ConfigurationException("Input `deployment-id` needs the GitHub API: run in GitHub Actions, or pass --token.", setting: "deployment-id");

    public Task<IReadOnlyList<DeploymentStatusRecord>> ListStatusesAsync(string repository, long deploymentId, int? limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DeploymentStatusRecord>>([]);

    // A local run shows the deployments it would create and creates none (MainStep never gets here without a token).
    public Task<CreatedDeployment> CreateDeploymentAsync(string repository, NewDeployment deployment, CancellationToken cancellationToken) =>
        throw new ConfigurationException("Creating a deployment needs the GitHub API: run in GitHub Actions, or pass --token.", setting: "token");

    public Task<string> ResolveCommitAsync(string repository, string gitRef, CancellationToken cancellationToken) =>
        throw new ConfigurationException($"Resolving '{gitRef}' to a commit needs the GitHub API: run in GitHub Actions, or pass --token.", setting: "token");

    public Task<IReadOnlyList<string>> ListPullRequestCommitsAsync(string repository, long number, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
