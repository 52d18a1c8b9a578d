namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Decides whether a server's host key is the one the user pinned, in <c>ssh-known-hosts</c> or
/// <c>ssh-fingerprints</c>. With <c>ssh-strict</c> (the default) an unknown key is refused; a
/// key that contradicts known_hosts is refused whatever <c>ssh-strict</c> says.
/// </summary>
internal sealed record HostKeyPolicy(KnownHosts KnownHosts, IReadOnlyList<string> Fingerprints, bool Strict)
{
    /// <summary>The clock a host certificate's validity window is read against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The decision for what a server offered: a plain key, or a host certificate. A certificate
    /// passes through an <c>@cert-authority</c> line for the host (<see cref="DecideCertificate"/>);
    /// with no such line, the key under it is judged as a plain key, as OpenSSH does.
    /// </summary>
    public HostKeyDecision Decide(SshHost host, byte[] offeredKeyBlob) =>
        OpenSshCertificate.TryParse(offeredKeyBlob) is { } certificate
            ? Decide(host, new OfferedHostKey(certificate.PublicKey, certificate))
            : Decide(host, OfferedHostKey.Plain(offeredKeyBlob));

    public HostKeyDecision Decide(SshHost host, OfferedHostKey offered)
    {
        if (offered.Certificate is not { } certificate) return DecidePlain(host, offered.Key, "");
        var authorities = KnownHosts.For(host).Where(e => e.CertAuthority && !e.Revoked).ToList();
        return authorities.Count > 0
            ? DecideCertificate(host, certificate, authorities)
            : DecidePlain(host, offered.Key, $" (under a host certificate signed by CA {certificate.CaFingerprint}, which no @cert-authority line for {host.KnownHostsName} names)");
    }

    /// <summary>
    /// A host certificate passes only if a CA listed for the host signed it (SSH.NET has checked
    /// that signature), it is a host certificate, the host's name as written in <c>hosts</c> is
    /// among its principals, and now is within its validity window; <c>@revoked</c> lines revoke the
    /// certificate's key or its CA.
    /// </summary>
    private HostKeyDecision DecideCertificate(SshHost host, OpenSshCertificate certificate, IReadOnlyList<KnownHostEntry> authorities)
    {
        var fingerprint = certificate.KeyFingerprint;
        var offered = $"{certificate.CertificateType} {fingerprint} (key id '{certificate.KeyId}', signed by CA {certificate.CaFingerprint})";
        HostKeyDecision Refuse(string reason) => new(HostKeyVerdict.CertificateRefused, false, fingerprint,
            $"{host.Display}: host certificate refused: {reason}. The server offered {offered}. Nothing was run on it.");

        var revoked = KnownHosts.For(host).Where(e => e.Revoked).ToList();
        if (revoked.FirstOrDefault(e => e.KeyBlob.AsSpan().SequenceEqual(certificate.PublicKey)) is { } key)
            return new(HostKeyVerdict.Revoked, false, fingerprint, $"{host.Display}: the host key {fingerprint} under the certificate is marked @revoked in `ssh-known-hosts` (line {key.Line}). Refused: nothing was run on it.");
        if (revoked.FirstOrDefault(e => IsCa(e, certificate)) is { } ca)
            return new(HostKeyVerdict.Revoked, false, fingerprint, $"{host.Display}: the CA {certificate.CaFingerprint} that signed the host certificate is marked @revoked in `ssh-known-hosts` (line {ca.Line}). The server offered {offered}. Refused: nothing was run on it.");

        if (!authorities.Any(e => IsCa(e, certificate)))
            return Refuse($"signed by CA {certificate.CaFingerprint}, which no @cert-authority line for {host.KnownHostsName} lists (they list {string.Join(", ", authorities.Select(e => $"{HostKeyFingerprint.Sha256(e.KeyBlob)} on line {e.Line}"))})");
        if (!certificate.IsHost)
            return Refuse("it is a user certificate, not a host certificate (sign host keys with `ssh-keygen -h`)");
        if (certificate.Principals.Count == 0)
            return Refuse("it names no principals, so it is not for any host in particular (sign it with `-n HOSTNAME`)");
        if (!certificate.Principals.Contains(host.Host, StringComparer.OrdinalIgnoreCase))
            return Refuse($"it is for {certificate.PrincipalList}, not for '{host.Host}' as `hosts` writes it");
        if (certificate.ValidityProblem(Time.GetUtcNow()) is { } problem)
            return Refuse($"it is {problem}");
        return new(HostKeyVerdict.Trusted, true, fingerprint, null);
    }

    /// <summary>Whether the line's key is the certificate's CA (SHA-256 of the key blob, the CA identity SSH.NET reports).</summary>
    private static bool IsCa(KnownHostEntry entry, OpenSshCertificate certificate) =>
        HostKeyFingerprint.Matches(HostKeyFingerprint.Sha256(entry.KeyBlob), certificate.CaFingerprint);

    /// <summary>A plain key against the plain lines and fingerprints (<paramref name="note"/> says when it came under a certificate).</summary>
    private HostKeyDecision DecidePlain(SshHost host, byte[] offeredKeyBlob, string note)
    {
        var fingerprint = HostKeyFingerprint.Sha256(offeredKeyBlob);
        var all = KnownHosts.For(host);
        var entries = all.Where(e => !e.CertAuthority).ToList();
        var offeredType = (HostKeyFingerprint.KeyTypeOf(offeredKeyBlob) ?? "unknown") + note;

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

        if (all.Any(e => e.CertAuthority && !e.Revoked) && !entries.Any(e => !e.Revoked))
        {
            return new(HostKeyVerdict.Mismatch, false, fingerprint,
                $"{host.Display}: the server offered a plain host key, {offeredType} {fingerprint}, but `ssh-known-hosts` trusts only host certificates for {host.KnownHostsName} (@cert-authority). "
                + "A server without a host certificate needs a plain known_hosts line or a fingerprint in `ssh-fingerprints`. Nothing was run on it.");
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

    /// <summary>The host-key algorithms that present a certificate, as SSH.NET names them.</summary>
    public static readonly string[] CertificateAlgorithms =
    [
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com",
    ];

    /// <summary>
    /// The host key algorithms worth asking a host for: when known_hosts pins only some key types
    /// for it (and no fingerprints are given), ask for those, as OpenSSH's client does, so a
    /// server with several host keys does not offer one we cannot check.
    /// </summary>
    public IReadOnlySet<string>? PreferredAlgorithms(SshHost host)
    {
        if (Fingerprints.Count > 0) return null;
        var trusted = KnownHosts.For(host).Where(e => !e.Revoked).ToList();
        var types = trusted.Where(e => !e.CertAuthority).Select(e => e.KeyType).ToHashSet(StringComparer.Ordinal);
        var certificates = trusted.Any(e => e.CertAuthority);
        if (types.Count == 0 && !certificates) return null;
        var algorithms = new HashSet<string>(types, StringComparer.Ordinal);
        if (types.Contains("ssh-rsa"))
        {
            algorithms.Add("rsa-sha2-512");
            algorithms.Add("rsa-sha2-256");
        }

        // A CA may sign a host key of any type: ask for every certificate algorithm.
        if (certificates) algorithms.UnionWith(CertificateAlgorithms);
        return algorithms;
    }
}
