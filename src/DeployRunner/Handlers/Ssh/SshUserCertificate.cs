namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// The <c>ssh-certificate</c> input: the <c>id_*-cert.pub</c> line a CA signed for <c>ssh-key</c>.
/// What the runner can know without asking the server is checked before anything connects (a user
/// certificate, for this key, valid now), so an expired certificate reads "expired 2 h ago", not
/// "permission denied". Whether the server trusts the CA and the principals is the server's call.
/// </summary>
internal static class SshUserCertificate
{
    public const string Input = "ssh-certificate";

    public static OpenSshCertificate Read(string text, DateTimeOffset now)
    {
        var fields = text.Trim().Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
            throw new ConfigurationException($"Input `{Input}` is empty: paste the certificate file (id_ed25519-cert.pub) that `ssh-keygen -s` wrote.", setting: Input);
        if (fields[0].StartsWith("-----BEGIN", StringComparison.Ordinal))
            throw new ConfigurationException($"Input `{Input}` holds a private key: it takes the certificate (the -cert.pub file); the private key goes into `ssh-key`.", setting: Input);
        if (!OpenSshCertificate.IsCertificateType(fields[0]))
            throw new ConfigurationException($"Input `{Input}` is not an OpenSSH certificate: it should start with a type such as ssh-ed25519-cert-v01@openssh.com (the -cert.pub file `ssh-keygen -s` writes).", setting: Input);

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields.Length > 1 ? fields[1] : "");
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"Input `{Input}`: the certificate after its type is not base64. Paste the -cert.pub file unchanged.", setting: Input);
        }

        var certificate = OpenSshCertificate.TryParse(blob);
        if (certificate is null || certificate.CertificateType != fields[0])
            throw new ConfigurationException($"Input `{Input}`: the certificate is damaged or not a {fields[0]}. Paste the -cert.pub file unchanged.", setting: Input);
        if (certificate.IsHost)
            throw new ConfigurationException($"Input `{Input}` holds a host certificate (signed with `ssh-keygen -h`): a login needs a user certificate, signed without -h.", setting: Input);
        if (certificate.ValidityProblem(now) is { } problem)
            throw new ConfigurationException($"Input `{Input}`: the certificate '{certificate.KeyId}' is {problem}. Sign a fresh one (`ssh-keygen -s CA -I ID -n PRINCIPALS -V -5m:+1h KEY.pub`), or check the runner's clock.", setting: Input);
        return certificate;
    }

    /// <summary>A certificate for another key would log in as nobody: refuse it, naming both keys.</summary>
    public static void CheckCertifies(OpenSshCertificate certificate, byte[] publicKey)
    {
        if (certificate.PublicKey.AsSpan().SequenceEqual(publicKey)) return;
        throw new ConfigurationException(
            $"Input `{Input}` does not certify `ssh-key`: the certificate '{certificate.KeyId}' is for the key {certificate.PlainKeyType} {certificate.KeyFingerprint}, "
            + $"`ssh-key` is {HostKeyFingerprint.KeyTypeOf(publicKey) ?? "unknown"} {HostKeyFingerprint.Sha256(publicKey)}. Pass the certificate signed for this key (KEY-cert.pub next to KEY.pub).", setting: Input);
    }

    /// <summary>The dry run's and the refusal's description: key id, principals, validity, CA.</summary>
    public static string Describe(OpenSshCertificate certificate) =>
        $"'{certificate.KeyId}' ({certificate.CertificateType}), principals: {certificate.PrincipalList}; valid {certificate.Validity}; signed by CA {certificate.CaFingerprint}";
}
