namespace DeployRunner.Handlers;

/// <summary>
/// How long the runner allows itself once told to stop: the Actions runner sends SIGTERM 7.5 s
/// after SIGINT. The handler gets <see cref="HandlerStop"/> to stop what it runs (and a release
/// run to undo what it switched), then the final status gets <see cref="FinalStatus"/>; what is
/// left is the margin. Handlers read it from <see cref="HandlerContext.Shutdown"/>, the runner
/// from its own, both this one by default, so a handler's own stop budgets follow it.
/// </summary>
internal sealed record ShutdownBudget(TimeSpan HandlerStop, TimeSpan FinalStatus)
{
    public static readonly ShutdownBudget Default = new(TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(2.5));
}
