namespace DeployRunner.Running;

/// <summary>Exit codes of the runner process.</summary>
internal static class ExitCodes
{
    public const int Deployed = 0;
    public const int Failed = 1;
    public const int CouldNotStart = 2;
}
