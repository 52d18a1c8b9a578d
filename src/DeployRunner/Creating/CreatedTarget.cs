namespace DeployRunner.Creating;

/// <summary>A deployment the runner created and ran for one target: its exit code, and the environment URL when it succeeded.</summary>
internal sealed record CreatedTarget(string Target, string Environment, long DeploymentId, int Exit, string? EnvironmentUrl);
