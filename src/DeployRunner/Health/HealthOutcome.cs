namespace DeployRunner.Health;

/// <summary>How a health check ended: healthy, or why not (the last answer seen).</summary>
public sealed record HealthOutcome(bool Healthy, string Detail, TimeSpan Waited);
