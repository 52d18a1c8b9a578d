using System.Globalization;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Ssh;

internal sealed partial class SshHandler
{
    /// <summary>A release run's phases, paths and pruning rule, from the release settings parsed with the rest (<see cref="SshSettings.Releases"/>).</summary>
    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) =>
        Releases.ReleaseDryRun.Describe(plan, settings.Releases).Select(line => new DryRunNote(line, Untrusted: true));

    /// <summary>
    /// The ssh plan: the hosts in the order they start, in batches of <c>max-parallel</c>, the
    /// jump host, and how host keys are checked. Nothing connects.
    /// </summary>
    public Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        RefuseUnpinnedHosts();
        var hosts = settings.Hosts;
        var width = Math.Min(settings.MaxParallel, hosts.Count);
        var lines = new List<string>
        {
            $"Hosts: {Count(hosts.Count, "host")}, at most {width} at a time (input `max-parallel`), started in this order"
            + (width < hosts.Count ? "; each next host starts as soon as one finishes:" : ":"),
        };
        for (var start = 0; start < hosts.Count; start += width)
        {
            var batch = hosts.Skip(start).Take(width).Select(h => $"{h.User}@{h.Display}");
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  batch {start / width + 1}: {string.Join(", ", batch)}"));
        }

        lines.Add(settings.JumpHosts.Count switch
        {
            0 => "Jump host: none (direct connections)",
            1 => $"Jump host: {SshJumpChain.Describe(settings.JumpHosts)} (every host is reached through it; its host key is checked too)",
            _ => $"Jump hosts: {SshJumpChain.Describe(settings.JumpHosts)} -> each host (one chain for the whole run, each hop through the one before; every hop's host key is checked too)",
        });
        lines.Add(settings.Certificate is { } certificate
            ? $"Login: `ssh-key` with user certificate {SshUserCertificate.Describe(certificate)}"
            : "Login: `ssh-key` (no certificate)");
        lines.Add(settings.HostKeys.Strict
            ? string.Create(CultureInfo.InvariantCulture, $"Host keys: strict; {settings.HostKeys.KnownHosts.Entries.Count} pinned in `ssh-known-hosts`, {settings.HostKeys.Fingerprints.Count} in `ssh-fingerprints`")
            : "Host keys: NOT checked (ssh-strict: false)");
        // The two phases of RunEverywhereAsync: what a reader of the plan needs to predict the
        // connections a firewall or an sshd's MaxStartups will see, and which key exchange carries what.
        lines.Add(settings.Releases is not null && !plan.IsRemoval
            ? string.Create(CultureInfo.InvariantCulture, $"Connections: releases keep one connection per host (default key exchange) open for both release phases: {Count(hosts.Count, "connection")}")
            : width >= hosts.Count
                ? string.Create(CultureInfo.InvariantCulture, $"Connections: one per host (default key exchange), opened to check every host key and login before any host runs anything, and kept for that host's script: {Count(hosts.Count, "connection")}")
                : string.Create(CultureInfo.InvariantCulture, $"Connections: every host is checked (host key and login) before any host runs anything; the first {width} on a connection with the default key exchange, kept for their scripts, the other {hosts.Count - width} on a check connection (curve25519-sha256 preferred, no command sent) closed at once and connected again at their turn (default key exchange, pinned to the host key the check accepted); at most {width} open at a time in the run"));
        lines.Add($"Connect timeout: {DurationText.Format(settings.ConnectTimeout)} per host; fail-fast: {(settings.FailFast ? "on (after a failure, hosts not yet started are skipped)" : "off")}");
        lines.Add(plan.Script is null ? "On each host: nothing (no script)"
            : RunsScript(plan) ? "On each host: the script below (bash), with the DEPLOY_* variables"
            : "On each host: no script (a release rollback switches back without it)");
        return Task.FromResult<IReadOnlyList<string>>(lines);
    }

    /// <summary>
    /// With <c>ssh-strict</c>, a host whose key nothing pins is refused by a real run, and the
    /// check phase then refuses the whole run: a dry run that counted the pins and said "strict"
    /// would promise a deployment that cannot happen. Each such host (the jump host too) is named.
    /// </summary>
    private void RefuseUnpinnedHosts()
    {
        var keys = settings.HostKeys;
        if (!keys.Strict || keys.Fingerprints.Count > 0) return;
        var unpinned = settings.Hosts.Concat(settings.JumpHosts)
            .Where(host => !keys.KnownHosts.For(host).Any(entry => !entry.Revoked))
            .ToList();
        if (unpinned.Count == 0) return;
        throw new ConfigurationException(
            $"No host key is pinned for {string.Join(", ", unpinned.Select(h => h.Display))} (`ssh-strict` is on): a real run would refuse {(unpinned.Count == 1 ? "it" : "them")}, and with "
            + $"{(unpinned.Count == 1 ? "it" : "them")} the whole run, since every host is checked before any runs. Add each one's `ssh-keyscan -p PORT HOST` output to `ssh-known-hosts`, or its fingerprint to `ssh-fingerprints`.",
            setting: "ssh-known-hosts");
    }
}
