namespace DeployRunner.GitHub;

/// <summary>The body of POST /repos/{owner}/{repo}/deployments/{id}/statuses.</summary>
internal sealed record DeploymentStatusRequest(
    string State,
    string Description,
    string? LogUrl,
    string? EnvironmentUrl,
    bool? AutoInactive);
