namespace DeployRunner.Events;

/// <summary>The parts of a <c>deployment</c> webhook payload the runner uses.</summary>
internal sealed record DeploymentEvent(string? Action, Deployment Deployment, string Repository);
