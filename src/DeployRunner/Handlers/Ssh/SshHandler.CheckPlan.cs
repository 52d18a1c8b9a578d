using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh;

internal sealed partial class SshHandler
{
    /// <summary>
    /// Before any status: the script fits one SSH command (a longer one would be found on the
    /// servers, after the switch for <c>after-switch</c>); releases: upload, rollback target and
    /// the health URL for every server (Releases/ReleasePlanCheck).
    /// </summary>
    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        CheckFits("script", plan.Script);
        if (settings.Releases is not { } releases) return;
        CheckFits("after-switch", releases.AfterSwitch);
        Releases.ReleasePlanCheck.Check(releases, plan, settings.Hosts, cancellationToken);
    }

    private static void CheckFits(string input, string? script)
    {
        if (script is null || RemoteCommand.Fits(script)) return;
        throw new ConfigurationException(
            $"Input `{input}` is {System.Text.Encoding.UTF8.GetByteCount(script) / 1024} KiB, more than one SSH command can carry (about {RemoteCommand.MaxCommandBytes / 1024} KiB with the runner's wrapper): put the commands in a file you upload, and run that file.",
            setting: input);
    }
}
