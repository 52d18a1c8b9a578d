namespace DeployRunner.Running;

/// <summary>The <c>results</c> output: one entry per target.</summary>
internal sealed record TargetResultJson(string Target, string Result, int? ExitCode, double DurationSeconds, string? Reason);
