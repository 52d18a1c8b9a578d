namespace DeployRunner.Handlers.Ssh;

/// <summary>How a remote script ended: its exit status, or the signal that ended it.</summary>
internal sealed record RemoteOutcome(int? ExitCode, string? Signal, bool Cancelled, TimeSpan Duration);
