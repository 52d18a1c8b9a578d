using DeployRunner.Inputs;
using Renci.SshNet;

namespace DeployRunner.Handlers.Ssh;

/// <summary>The ssh handler's inputs, read and checked once, before anything connects.</summary>
public sealed record SshSettings(
    IReadOnlyList<SshHost> Hosts,
    SshHost? JumpHost,
    PrivateKeyFile Key,
    HostKeyPolicy HostKeys,
    int MaxParallel,
    bool FailFast,
    TimeSpan ConnectTimeout)
{
    /// <summary>Releases (issue 14): set when input <c>deploy-path</c> is; null runs the script in place, as before.</summary>
    public Handlers.Ssh.Releases.ReleaseSettings? Releases { get; init; }

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    public static SshSettings From(InputSet inputs)
    {
        var user = inputs.Get("ssh-user");
        var port = inputs.GetPositiveInt("ssh-port", SshHost.DefaultPort);
        if (port > 65535) throw new ConfigurationException($"Input `ssh-port` must be a port from 1 to 65535, not {port}.");

        var hosts = SshHost.ParseList("hosts", inputs.Get("hosts"), user, port);
        if (hosts.Count == 0)
            throw new ConfigurationException("Input `hosts` is required by the ssh handler: list the servers to deploy to, as [user@]host[:port], separated by newlines, commas or spaces.");

        var jumpText = inputs.Get("ssh-jump-host");
        var jumpHost = jumpText is null ? null : SshHost.Parse("ssh-jump-host", jumpText, user, SshHost.DefaultPort);

        var keyText = inputs.GetRaw("ssh-key")
            ?? throw new ConfigurationException("Input `ssh-key` is required by the ssh handler: pass the private key from a secret (`ssh-key: ${{ secrets.DEPLOY_SSH_KEY }}`).");
        var key = SshPrivateKey.Load(keyText, inputs.GetRaw("ssh-passphrase"));

        var knownHosts = KnownHosts.Parse("ssh-known-hosts", inputs.GetRaw("ssh-known-hosts"));
        var fingerprints = HostKeyFingerprint.ParseList("ssh-fingerprints", inputs.GetRaw("ssh-fingerprints"));
        var strict = inputs.GetBool("ssh-strict", true);
        if (strict && knownHosts.Entries.Count == 0 && fingerprints.Count == 0)
        {
            key.Dispose();
            throw new ConfigurationException(
                "Strict host-key checking is on, but neither `ssh-known-hosts` nor `ssh-fingerprints` is set, so no server can be trusted. "
                + "Add the output of `ssh-keyscan HOST` to `ssh-known-hosts` (or SHA256 fingerprints to `ssh-fingerprints`); `ssh-strict: false` turns the check off (unsafe).");
        }

        return new SshSettings(
            hosts,
            jumpHost,
            key,
            new HostKeyPolicy(knownHosts, fingerprints, strict),
            inputs.GetPositiveInt("max-parallel", hosts.Count),
            inputs.GetBool("fail-fast", true),
            inputs.GetDuration("connect-timeout", DefaultConnectTimeout))
        {
            Releases = Handlers.Ssh.Releases.ReleaseSettings.From(inputs),
        };
    }
}
