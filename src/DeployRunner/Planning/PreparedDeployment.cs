using DeployRunner.Handlers;

namespace DeployRunner.Planning;

/// <summary>A deployment made ready to run: its plan and the handler that carries it out.</summary>
internal sealed record PreparedDeployment(DeploymentPlan Plan, IDeploymentHandler Handler);
