namespace DeployRunner.Status;

/// <summary>
/// Our one port to GitHub's deployments API. Retries, time bounds and the base-address rules
/// live behind it; tests substitute it or serve it over HTTP.
/// </summary>
public interface IGitHubDeployments
{
    Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken);
}
