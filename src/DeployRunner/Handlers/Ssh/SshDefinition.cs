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
            new("ssh-certificate", SettingKind.Text),
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
        Create: (inputs, context) => new SshHandler(SshSettings.From(inputs, context.Time), context))
    {
        // With releases the handler checks health per server (between switch and rollback);
        // without, the pipeline checks once after the script, as for shell.
        ChecksHealthItself = inputs => inputs.Get("deploy-path") is not null,
        InsteadOfAtomic = "Releases roll back on their own: set `deploy-path` (`auto-rollback` is on by default) and remove `atomic`.",
    };

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
