namespace DeployRunner.GitHub;

/// <summary>The fields of a posted deployment status the runner reads back.</summary>
internal sealed record DeploymentStatusResponse(long Id, string State);
