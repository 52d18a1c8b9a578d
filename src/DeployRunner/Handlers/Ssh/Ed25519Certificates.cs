using System.Numerics;
using Renci.SshNet;
using Renci.SshNet.Security;
using Renci.SshNet.Security.Cryptography;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Ed25519 certificates, built around a flaw in SSH.NET (2026.0.1): it reads the ed25519 key inside
/// a certificate as a signed number, so a key that starts with 0xFF and a byte of 0x80 or more (one
/// key in 512) loses that 0xFF and becomes another key. A host certificate over such a key then
/// fails the key exchange's signature, and a user certificate "does not certify" its own private
/// key. Both are built here as SSH.NET would build them, with the key taken from the certificate's
/// bytes: SSH.NET's own <see cref="Certificate"/> still carries the bytes sent and the CA's signature.
/// </summary>
internal static class Ed25519Certificates
{
    public const string CertificateType = "ssh-ed25519-cert-v01@openssh.com";

    /// <summary>
    /// The host key algorithm for a host certificate the server presented: the key exchange's
    /// signature is checked against the certified key itself, the certificate's validity and CA
    /// signature by SSH.NET with <paramref name="keyAlgorithms"/> (the plain key types).
    /// </summary>
    public static KeyHostAlgorithm HostAlgorithm(byte[] certificateBlob, IReadOnlyDictionary<string, Func<byte[], KeyHostAlgorithm>> keyAlgorithms)
    {
        var certificate = new Certificate(certificateBlob);
        var key = new ED25519Key(new SshKeyData("ssh-ed25519", [CertifiedKeyNumber(certificateBlob)]));
        return new CertificateHostAlgorithm(CertificateType, certificate, new ED25519DigitalSignature(key), keyAlgorithms);
    }

    /// <summary>
    /// The login with <paramref name="key"/> under its user certificate: the certificate algorithm
    /// first (its bytes go to the server, <paramref name="key"/> signs), then the plain key, as
    /// SSH.NET's <see cref="PrivateKeyFile"/> offers them. The caller has checked that the
    /// certificate is for this key.
    /// </summary>
    public static IPrivateKeySource Login(PrivateKeyFile key, OpenSshCertificate certificate) =>
        new CertifiedKey(key, [new CertificateHostAlgorithm(CertificateType, key.Key, new Certificate(certificate.Blob)), .. key.HostKeyAlgorithms]);

    /// <summary>The 32 key bytes, read as the unsigned number they are (the last field of the certified public key).</summary>
    private static BigInteger CertifiedKeyNumber(byte[] certificateBlob)
    {
        var certificate = OpenSshCertificate.TryParse(certificateBlob) ?? throw new ArgumentException("not an OpenSSH certificate", nameof(certificateBlob));
        // The plain key blob: string "ssh-ed25519" (4 + 11 bytes), then the key as a string of exactly 32 bytes.
        if (certificate.PublicKey.Length != 4 + 11 + 4 + 32) throw new ArgumentException("the certified ed25519 key is not 32 bytes", nameof(certificateBlob));
        return new BigInteger(certificate.PublicKey.AsSpan(certificate.PublicKey.Length - 32), isUnsigned: true, isBigEndian: true);
    }

    private sealed class CertifiedKey(PrivateKeyFile key, IReadOnlyCollection<HostAlgorithm> algorithms) : IPrivateKeySource, IDisposable
    {
        public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; } = algorithms;

        public void Dispose() => key.Dispose();
    }
}
