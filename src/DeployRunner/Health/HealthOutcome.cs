namespace DeployRunner.Health;

/// <summary>How a health check ended: healthy, or why not (the last answer seen).</summary>
internal sealed record HealthOutcome(bool Healthy, string Detail, TimeSpan Waited);
