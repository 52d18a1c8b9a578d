using System.Runtime.CompilerServices;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh;

/// <summary>The ssh handler's name, inputs and factory (SSH.NET: no program needed on PATH).</summary>
internal static class SshDefinition
{
    public static readonly HandlerDefinition Definition = new(
        Name: "ssh",
        Inputs:
        [
            new("hosts", SettingKind.List),
            new("ssh-user", SettingKind.Text),
            new("ssh-port", SettingKind.Text),
            new("ssh-key", SettingKind.Secret),
            new("ssh-passphrase", SettingKind.Secret),
            new(SshUserCertificate.Input, SettingKind.Text),
            new("ssh-known-hosts", SettingKind.List),
            new("ssh-fingerprints", SettingKind.List),
            new("ssh-strict", SettingKind.Boolean),
            new("ssh-jump-host", SettingKind.Text),
            new("max-parallel", SettingKind.Text),
            new("fail-fast", SettingKind.Boolean),
            new("connect-timeout", SettingKind.Duration),
            // Releases (Releases/): upload, switch, keep, roll back.
            new("deploy-path", SettingKind.Text),
            new("upload", SettingKind.List),
            new("after-switch", SettingKind.Script),
            new("keep-releases", SettingKind.Text),
            new("auto-rollback", SettingKind.Boolean),
        ],
        Programs: [],
        Create: Create);

    /// <summary>With releases the handler checks health per server (between switch and rollback); without, once, like shell.</summary>
    private static IDeploymentHandler Create(InputSet inputs, HandlerContext context)
    {
        var settings = SshSettings.From(inputs, context.Time);
        AtomicInput.RefuseFor("ssh", inputs, "Releases roll back on their own: set `deploy-path` (`auto-rollback` is on by default) and remove `atomic`.");
        var handler = new SshHandler(settings, context);
        return settings.Releases is null ? Health.HealthCheckedHandler.Wrap(handler, inputs, context) : handler;
    }

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
