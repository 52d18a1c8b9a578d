namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Decides whether a server's host key is the one the user pinned, in <c>ssh-known-hosts</c> or
/// <c>ssh-fingerprints</c>. With <c>ssh-strict</c> (the default) an unknown key is refused; a
/// key that contradicts known_hosts is refused whatever <c>ssh-strict</c> says.
/// </summary>
internal sealed record HostKeyPolicy(KnownHosts KnownHosts, IReadOnlyList<string> Fingerprints, bool Strict)
{
    public HostKeyDecision Decide(SshHost host, byte[] offeredKeyBlob)
    {
        var fingerprint = HostKeyFingerprint.Sha256(offeredKeyBlob);
        var entries = KnownHosts.For(host);
        var offeredType = HostKeyFingerprint.KeyTypeOf(offeredKeyBlob) ?? "unknown";

        if (entries.Any(e => e.Revoked && e.KeyBlob.AsSpan().SequenceEqual(offeredKeyBlob)))
        {
            return new(HostKeyVerdict.Revoked, false, fingerprint,
                $"{host.Display}: the host key {fingerprint} ({offeredType}) is marked @revoked in `ssh-known-hosts`. Refused.");
        }

        if (entries.Any(e => !e.Revoked && e.KeyBlob.AsSpan().SequenceEqual(offeredKeyBlob))
            || Fingerprints.Any(f => HostKeyFingerprint.Matches(f, fingerprint)))
        {
            return new(HostKeyVerdict.Trusted, true, fingerprint, null);
        }

        if (entries.Any(e => !e.Revoked))
        {
            return new(HostKeyVerdict.Mismatch, false, fingerprint,
                $"{host.Display}: HOST KEY MISMATCH. The server offered {offeredType} {fingerprint}, which `ssh-known-hosts` does not list for {host.KnownHostsName} ({(entries.Count == 1 ? "line" : "lines")} {string.Join(", ", entries.Select(e => e.Line))}). "
                + "Someone may be intercepting the connection, or the server's key changed: check it out of band, then update `ssh-known-hosts`. Nothing was run on it.");
        }

        if (Strict)
        {
            return new(HostKeyVerdict.Unknown, false, fingerprint,
                $"{host.Display}: unknown host key {offeredType} {fingerprint}: neither `ssh-known-hosts` nor `ssh-fingerprints` pins it. "
                + $"If that is the server's key, add `ssh-keyscan -p {host.Port} {host.Host}` output to `ssh-known-hosts` or {fingerprint} to `ssh-fingerprints`.");
        }

        return new(HostKeyVerdict.Unknown, true, fingerprint,
            $"{host.Display}: accepting UNVERIFIED host key {offeredType} {fingerprint} because `ssh-strict` is false. Anyone in the middle could impersonate this server: pin the key in `ssh-known-hosts` or `ssh-fingerprints`.");
    }

    /// <summary>
    /// The host key algorithms worth asking a host for: when known_hosts pins only some key types
    /// for it (and no fingerprints are given), ask for those, as OpenSSH's client does, so a
    /// server with several host keys does not offer one we cannot check.
    /// </summary>
    public IReadOnlySet<string>? PreferredAlgorithms(SshHost host)
    {
        if (Fingerprints.Count > 0) return null;
        var types = KnownHosts.For(host).Where(e => !e.Revoked).Select(e => e.KeyType).ToHashSet(StringComparer.Ordinal);
        if (types.Count == 0) return null;
        var algorithms = new HashSet<string>(types, StringComparer.Ordinal);
        if (types.Contains("ssh-rsa"))
        {
            algorithms.Add("rsa-sha2-512");
            algorithms.Add("rsa-sha2-256");
        }

        return algorithms;
    }
}
