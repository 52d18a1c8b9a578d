namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Why one server did not get where the run wanted it: <see cref="TargetState.Failed"/> (the
/// deployment's fault: script, hook, health), <see cref="TargetState.Error"/> (the runner could
/// not do the work), <see cref="TargetState.Cancelled"/> or <see cref="TargetState.Skipped"/>.
/// </summary>
internal sealed record ServerFailure(TargetState Kind, string Reason, int? ExitCode = null);
