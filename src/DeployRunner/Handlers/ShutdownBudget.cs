namespace DeployRunner.Running;

/// <summary>How long the runner allows itself once told to stop (the Actions runner sends SIGTERM 7.5 s after SIGINT).</summary>
internal sealed record ShutdownBudget(TimeSpan HandlerStop, TimeSpan FinalStatus)
{
    public static readonly ShutdownBudget Default = new(TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(2.5));
}
