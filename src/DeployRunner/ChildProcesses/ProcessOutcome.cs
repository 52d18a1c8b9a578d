namespace DeployRunner.ChildProcesses;

/// <summary>
/// How a process ended. <see cref="OutputLeftOpen"/>: the process exited but something it started
/// in the background still held its output open after <see cref="ProcessRunner.OutputGrace"/>;
/// later output from it is not shown.
/// </summary>
internal sealed record ProcessOutcome(int? ExitCode, bool Cancelled, TimeSpan Duration, bool OutputLeftOpen = false);
