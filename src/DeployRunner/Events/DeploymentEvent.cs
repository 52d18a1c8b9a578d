namespace DeployRunner.Events;

/// <summary>The parts of a <c>deployment</c> webhook payload the runner uses.</summary>
public sealed record DeploymentEvent(string? Action, Deployment Deployment, string Repository);
