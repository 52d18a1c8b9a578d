using System.Buffers.Binary;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Loads the <c>ssh-key</c> input as pasted into a secret: OpenSSH or PEM (PKCS#1/PKCS#8),
/// ed25519, ECDSA or RSA, CRLF or LF line ends, with or without the final newline. Error messages
/// never carry the key or the passphrase, nor SSH.NET's own text, which might.
/// </summary>
internal static class SshPrivateKey
{
    public static IPrivateKeySource Load(string keyText, string? passphrase, OpenSshCertificate? certificate = null)
    {
        var normalized = Normalize(keyText);
        if (normalized.StartsWith("ssh-", StringComparison.Ordinal) || normalized.StartsWith("ecdsa-", StringComparison.Ordinal))
            throw new ConfigurationException("Input `ssh-key` holds a public key (ssh-...). Paste the private key file (the one without .pub) into the secret.", setting: "ssh-key");
        if (!normalized.StartsWith("-----BEGIN ", StringComparison.Ordinal))
            throw new ConfigurationException("Input `ssh-key` is not a private key: it should start with a line such as -----BEGIN OPENSSH PRIVATE KEY-----. Paste the whole key file into the secret.", setting: "ssh-key");

        var encrypted = IsEncrypted(normalized);
        if (encrypted && passphrase is null)
            throw new ConfigurationException("Input `ssh-key` is encrypted with a passphrase: set input `ssh-passphrase` (from a secret).", setting: "ssh-key");

        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(normalized));
            var key = new PrivateKeyFile(stream, encrypted ? passphrase : null);
            if (certificate is null) return key;
            try
            {
                SshUserCertificate.CheckCertifies(certificate, PublicKeyOf(key));
            }
            catch
            {
                key.Dispose();
                throw;
            }

            if (certificate.CertificateType == Ed25519Certificates.CertificateType) return Ed25519Certificates.Login(key, certificate);
            key.Dispose();

            // The same key again, this time with its certificate: SSH.NET then offers the
            // certificate algorithms (rsa-sha2-512/256-cert for RSA) before the plain key.
            using var again = new MemoryStream(Encoding.UTF8.GetBytes(normalized));
            using var certificateStream = new MemoryStream(Encoding.ASCII.GetBytes($"{certificate.CertificateType} {Convert.ToBase64String(certificate.Blob)}\n"));
            return new PrivateKeyFile(again, encrypted ? passphrase : null, certificateStream);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new ConfigurationException("Input `ssh-key` is encrypted with a passphrase: set input `ssh-passphrase` (from a secret).", setting: "ssh-key");
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException(encrypted
                ? "Input `ssh-passphrase` does not decrypt `ssh-key`: the passphrase is wrong (or the key is damaged)."
                : $"Input `ssh-key` could not be read as an OpenSSH or PEM private key ({e.GetType().Name}). Paste the whole key file, BEGIN and END lines included.", setting: encrypted ? "ssh-passphrase" : "ssh-key");
        }
    }

    /// <summary>The public half of a loaded key, as an SSH key blob.</summary>
    public static byte[] PublicKeyOf(PrivateKeyFile key) =>
        key.HostKeyAlgorithms.OfType<KeyHostAlgorithm>().First().Data;

    /// <summary>LF line ends, no blank padding around, exactly one final newline.</summary>
    public static string Normalize(string keyText) =>
        keyText.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim() + "\n";

    /// <summary>
    /// Whether the key needs a passphrase: PEM's <c>Proc-Type: 4,ENCRYPTED</c>, PKCS#8's
    /// <c>ENCRYPTED PRIVATE KEY</c>, or an OpenSSH key whose cipher is not <c>none</c>
    /// (PROTOCOL.key: "openssh-key-v1\0", then the cipher name as an SSH string).
    /// </summary>
    public static bool IsEncrypted(string normalizedKey)
    {
        if (normalizedKey.Contains("ENCRYPTED", StringComparison.Ordinal)) return true;
        const string openSshHeader = "-----BEGIN OPENSSH PRIVATE KEY-----";
        if (!normalizedKey.StartsWith(openSshHeader, StringComparison.Ordinal)) return false;

        var body = string.Concat(normalizedKey.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(body);
        }
        catch (FormatException)
        {
            return false;
        }

        var magic = "openssh-key-v1\0"u8;
        if (bytes.Length < magic.Length + 4 || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic)) return false;
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(magic.Length));
        if (length <= 0 || magic.Length + 4 + length > bytes.Length) return false;
        return Encoding.ASCII.GetString(bytes, magic.Length + 4, length) != "none";
    }
}
