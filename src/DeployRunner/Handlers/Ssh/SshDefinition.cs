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
            new("ssh-known-hosts", SettingKind.List),
            new("ssh-fingerprints", SettingKind.List),
            new("ssh-strict", SettingKind.Boolean),
            new("ssh-jump-host", SettingKind.Text),
            new("max-parallel", SettingKind.Text),
            new("fail-fast", SettingKind.Boolean),
            new("connect-timeout", SettingKind.Duration),
        ],
        Programs: [],
        Create: (settings, context) => new SshHandler(SshSettings.From(settings), context));

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
