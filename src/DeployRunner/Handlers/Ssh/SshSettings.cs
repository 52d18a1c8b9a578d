using DeployRunner.Inputs;
using Renci.SshNet;

namespace DeployRunner.Handlers.Ssh;

/// <summary>The ssh handler's inputs, read and checked once, before anything connects.</summary>
internal sealed record SshSettings(
    IReadOnlyList<SshHost> Hosts,
    IReadOnlyList<SshHost> JumpHosts,
    IPrivateKeySource Key,
    HostKeyPolicy HostKeys,
    int MaxParallel,
    bool FailFast,
    TimeSpan ConnectTimeout)
{
    /// <summary>The user certificate (input <c>ssh-certificate</c>) that <see cref="Key"/> logs in with; null logs in with the plain key.</summary>
    public OpenSshCertificate? Certificate { get; init; }

    /// <summary>Releases: set when input <c>deploy-path</c> is; null runs the script in place on each server.</summary>
    public Handlers.Ssh.Releases.ReleaseSettings? Releases { get; init; }

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads every ssh input and reports all their problems in one error, so a user fixes them
    /// in one go instead of meeting them one run at a time.
    /// </summary>
    public static SshSettings From(InputSet inputs, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var problems = new List<ConfigurationException>();
        T Check<T>(Func<T> read, T fallback)
        {
            try
            {
                return read();
            }
            catch (ConfigurationException e)
            {
                problems.Add(e);
                return fallback;
            }
        }

        var user = inputs.Get("ssh-user");
        var port = Check(() =>
        {
            var value = inputs.GetPositiveInt("ssh-port", SshHost.DefaultPort);
            return value <= 65535 ? value : throw new ConfigurationException($"Input `ssh-port` must be a port from 1 to 65535, not {value}.", setting: "ssh-port");
        }, SshHost.DefaultPort);

        var hosts = Check(() =>
        {
            var list = SshHost.ParseList("hosts", inputs.Get("hosts"), user, port);
            return list.Count > 0
                ? list
                : throw new ConfigurationException("Input `hosts` is required by the ssh handler: list the servers to deploy to, as [user@]host[:port], separated by newlines, commas or spaces.", setting: "hosts");
        }, []);

        var jumpText = inputs.Get("ssh-jump-host");
        var jumpHosts = jumpText is null ? [] : Check(() => ParseJumpChain(jumpText, user), []);

        var certificateText = inputs.GetRaw("ssh-certificate");
        var certificate = certificateText is null ? null : Check(() => SshUserCertificate.Read(certificateText, now), null);
        var key = Check(() =>
        {
            var keyText = inputs.GetRaw("ssh-key")
                ?? throw new ConfigurationException("Input `ssh-key` is required by the ssh handler: pass the private key from a secret (`ssh-key: ${{ secrets.DEPLOY_SSH_KEY }}`).", setting: "ssh-key");
            return SshPrivateKey.Load(keyText, inputs.GetRaw("ssh-passphrase"), certificate);
        }, null);

        var knownHosts = Check(() => KnownHosts.Parse("ssh-known-hosts", inputs.GetRaw("ssh-known-hosts")), null);
        var fingerprints = Check(() => HostKeyFingerprint.ParseList("ssh-fingerprints", inputs.GetRaw("ssh-fingerprints")), null);
        var strict = Check(() => inputs.GetBool("ssh-strict", true), true);
        if (strict && knownHosts is { Entries.Count: 0 } && fingerprints is { Count: 0 })
        {
            problems.Add(new ConfigurationException(
                "Strict host-key checking is on, but neither `ssh-known-hosts` nor `ssh-fingerprints` is set, so no server can be trusted. "
                + "Add the output of `ssh-keyscan HOST` to `ssh-known-hosts` (or SHA256 fingerprints to `ssh-fingerprints`); `ssh-strict: false` turns the check off (unsafe)."));
        }

        var maxParallel = Check(() => inputs.GetPositiveInt("max-parallel", Math.Max(hosts.Count, 1)), 1);
        var failFast = Check(() => inputs.GetBool("fail-fast", true), true);
        var connectTimeout = Check(() => inputs.GetDuration("connect-timeout", DefaultConnectTimeout), DefaultConnectTimeout);
        var releases = Check(() => Handlers.Ssh.Releases.ReleaseSettings.From(inputs), null);

        if (problems.Count > 0)
        {
            (key as IDisposable)?.Dispose();
            throw ConfigurationException.Combine("The ssh handler's inputs", problems);
        }

        return new SshSettings(hosts, jumpHosts, key!, new HostKeyPolicy(knownHosts!, fingerprints!, strict) { Time = time ?? TimeProvider.System }, maxParallel, failFast, connectTimeout)
        {
            Certificate = certificate,
            Releases = releases,
        };
    }

    /// <summary>The most bastions a chain may have: more is a typo or a loop, not a network.</summary>
    public const int MaxJumpHosts = 8;

    /// <summary>
    /// <c>ssh-jump-host</c> as OpenSSH's <c>-J</c> takes it: <c>[user@]host[:port]</c> hops separated
    /// by commas, the first reached directly; each hop without a user gets <c>ssh-user</c>, without
    /// a port 22.
    /// </summary>
    private static IReadOnlyList<SshHost> ParseJumpChain(string text, string? user)
    {
        var entries = text.Split(',', StringSplitOptions.TrimEntries);
        if (entries.Any(e => e.Length == 0))
            throw new ConfigurationException($"Input `ssh-jump-host`: '{SshHost.Printable(text)}' has an empty hop. Write the chain as OpenSSH's -J does: user@bastion1,bastion2:2222.", setting: "ssh-jump-host");
        if (entries.Length > MaxJumpHosts)
            throw new ConfigurationException($"Input `ssh-jump-host` lists {entries.Length} hops; at most {MaxJumpHosts} are supported.", setting: "ssh-jump-host");
        var hops = entries.Select(e => SshHost.Parse("ssh-jump-host", e, user, SshHost.DefaultPort)).ToList();
        if (hops.GroupBy(h => (h.Host.ToLowerInvariant(), h.Port)).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ConfigurationException($"Input `ssh-jump-host` passes through {twice.First().Display} twice: a chain visits each bastion once.", setting: "ssh-jump-host");
        return hops;
    }
}
