namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// What a server presented during the key exchange: its host key, and the host certificate over
/// it when it presented one (SSH.NET has then checked the CA's signature on the certificate).
/// </summary>
internal sealed record OfferedHostKey(byte[] Key, OpenSshCertificate? Certificate)
{
    public static OfferedHostKey Plain(byte[] key) => new(key, null);

    /// <summary>
    /// The same thing presented again: the same key, and the same certificate (by its CA
    /// signature, which covers every field) or none both times.
    /// </summary>
    public bool SameAs(OfferedHostKey other) =>
        Key.AsSpan().SequenceEqual(other.Key)
        && (Certificate?.Signature ?? []).AsSpan().SequenceEqual(other.Certificate?.Signature ?? []);

    /// <summary>The host-key algorithms that present this again: the certificate's, or the plain key's.</summary>
    public HashSet<string>? Algorithms()
    {
        var type = Certificate?.CertificateType ?? HostKeyFingerprint.KeyTypeOf(Key);
        return type switch
        {
            null => null,
            "ssh-rsa" => ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            "ssh-rsa-cert-v01@openssh.com" => ["rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com"],
            _ => [type],
        };
    }
}
