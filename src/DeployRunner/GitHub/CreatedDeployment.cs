using DeployRunner.Events;

namespace DeployRunner.GitHub;

/// <summary>A deployment GitHub created (201), and its API address for the step's outputs.</summary>
internal sealed record CreatedDeployment(Deployment Deployment, string? Url);
