using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Renci.SshNet.Security;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// The fields of an OpenSSH certificate (PROTOCOL.certkeys) the trust decision needs: which key it
/// certifies, for whom (user or host, principals), when, and which CA signed it. The CA's signature
/// itself is verified by SSH.NET (host certificates) or by sshd (user certificates); what the
/// signature vouches for is read here, from the same bytes.
/// </summary>
internal sealed record OpenSshCertificate(
    string CertificateType,
    byte[] PublicKey,
    bool IsHost,
    string KeyId,
    IReadOnlyList<string> Principals,
    DateTimeOffset ValidAfter,
    DateTimeOffset? ValidBefore,
    string CaFingerprint,
    byte[] Signature)
{
    /// <summary>The certificate as sent (known when it was read from text, as <c>ssh-certificate</c> is).</summary>
    public byte[] Blob { get; init; } = [];

    /// <summary>The CA's public key blob (its fingerprint is <see cref="CaFingerprint"/>).</summary>
    public byte[] CaKey { get; init; } = [];

    /// <summary>What the CA signed: the certificate without its final signature field.</summary>
    public ReadOnlySpan<byte> SignedBytes => Blob.AsSpan(0, Blob.Length - 4 - Signature.Length);

    /// <summary>The signature's algorithm (<c>ssh-ed25519</c>, <c>rsa-sha2-512</c>, ...), its first field.</summary>
    public string SignatureAlgorithm => Encoding.ASCII.GetString(new Reader(Signature).String());

    /// <summary>
    /// The names of the critical options (<c>force-command</c>, <c>source-address</c>): the server
    /// enforces them, and one it does not know makes it refuse the certificate.
    /// </summary>
    public IReadOnlyList<string> CriticalOptions { get; init; } = [];

    private const string Suffix = "-cert-v01@openssh.com";

    /// <summary>How many public-key fields follow the nonce, per certified key type.</summary>
    private static readonly Dictionary<string, int> KeyFieldCounts = new(StringComparer.Ordinal)
    {
        ["ssh-rsa"] = 2,
        ["ssh-dss"] = 4,
        ["ecdsa-sha2-nistp256"] = 2,
        ["ecdsa-sha2-nistp384"] = 2,
        ["ecdsa-sha2-nistp521"] = 2,
        ["ssh-ed25519"] = 1,
        ["sk-ecdsa-sha2-nistp256@openssh.com"] = 3,
        ["sk-ssh-ed25519@openssh.com"] = 2,
    };

    public static bool IsCertificateType(string? keyType) =>
        keyType is not null && keyType.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>The key type a certificate type certifies: <c>ssh-ed25519-cert-v01@openssh.com</c> is <c>ssh-ed25519</c>.</summary>
    public static string PlainType(string certificateType) =>
        certificateType.EndsWith(Suffix, StringComparison.Ordinal)
            ? certificateType[..^Suffix.Length] switch
            {
                "sk-ecdsa-sha2-nistp256" => "sk-ecdsa-sha2-nistp256@openssh.com",
                "sk-ssh-ed25519" => "sk-ssh-ed25519@openssh.com",
                var plain => plain,
            }
            : certificateType;

    /// <summary>SHA256 fingerprint of the certified key, as <c>ssh-keygen -l</c> prints it for the key and its certificate.</summary>
    public string KeyFingerprint => HostKeyFingerprint.Sha256(PublicKey);

    public string PlainKeyType => PlainType(CertificateType);

    /// <summary>
    /// A host certificate as SSH.NET hands it over after checking the CA's signature on it:
    /// <paramref name="publicKey"/> is the key under it (what <c>HostKeyEventArgs.HostKey</c> holds).
    /// </summary>
    public static OpenSshCertificate FromSshNet(Certificate certificate, byte[] publicKey) => new(
        certificate.Name,
        publicKey,
        certificate.Type == Certificate.CertificateType.Host,
        Printable(Encoding.UTF8.GetBytes(certificate.KeyId)),
        certificate.ValidPrincipals.Select(p => Printable(Encoding.UTF8.GetBytes(p))).ToList(),
        FromUnix(certificate.ValidAfterUnixSeconds) ?? DateTimeOffset.UnixEpoch,
        FromUnix(certificate.ValidBeforeUnixSeconds),
        "SHA256:" + certificate.CertificateAuthorityKeyFingerPrint,
        certificate.Signature);

    /// <summary>Reads a certificate blob; null when the bytes are not one (a plain key, or damaged).</summary>
    public static OpenSshCertificate? TryParse(byte[] blob)
    {
        try
        {
            var reader = new Reader(blob);
            var type = Encoding.ASCII.GetString(reader.String());
            if (!IsCertificateType(type)) return null;
            var plainType = PlainType(type);
            if (!KeyFieldCounts.TryGetValue(plainType, out var fieldCount)) return null;
            reader.String(); // nonce

            // The plain public key is the plain type followed by the very same fields.
            var keyStart = reader.Position;
            for (var i = 0; i < fieldCount; i++) reader.String();
            var fields = blob.AsSpan(keyStart, reader.Position - keyStart);
            var typeBytes = Encoding.ASCII.GetBytes(plainType);
            var publicKey = new byte[4 + typeBytes.Length + fields.Length];
            BinaryPrimitives.WriteUInt32BigEndian(publicKey, (uint)typeBytes.Length);
            typeBytes.CopyTo(publicKey, 4);
            fields.CopyTo(publicKey.AsSpan(4 + typeBytes.Length));

            reader.UInt64(); // serial
            var certType = reader.UInt32();
            var keyId = Printable(reader.String());
            var principalReader = new Reader(reader.String());
            var principals = new List<string>();
            while (!principalReader.AtEnd) principals.Add(Printable(principalReader.String()));
            var validAfter = reader.UInt64();
            var validBefore = reader.UInt64();
            var optionReader = new Reader(reader.String());
            var criticalOptions = new List<string>();
            while (!optionReader.AtEnd)
            {
                criticalOptions.Add(Printable(optionReader.String()));
                optionReader.String(); // the option's data
            }
            reader.String(); // extensions
            reader.String(); // reserved
            var caKey = reader.String();
            var signature = reader.String();
            if (certType is not (1 or 2)) return null;
            if (!SignedByItsCa(caKey, signature)) return null;
            return new OpenSshCertificate(type, publicKey, certType == 2, keyId, principals,
                FromUnix(validAfter) ?? DateTimeOffset.UnixEpoch, FromUnix(validBefore), HostKeyFingerprint.Sha256(caKey), signature)
            {
                Blob = blob,
                CaKey = caKey,
                CriticalOptions = criticalOptions,
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// A signature whose algorithm is not the CA key's own (an Ed25519 signature under an RSA CA) is
    /// damaged or forged: no verifier would accept it, so it is not read as a certificate at all.
    /// </summary>
    private static bool SignedByItsCa(byte[] caKey, byte[] signature)
    {
        var caType = Encoding.ASCII.GetString(new Reader(caKey).String());
        var signatureType = Encoding.ASCII.GetString(new Reader(signature).String());
        return caType == signatureType
            || (caType == "ssh-rsa" && signatureType is "rsa-sha2-256" or "rsa-sha2-512");
    }

    /// <summary>
    /// Whether the certificate is valid at <paramref name="now"/>, and if not, why, in the words a
    /// user acts on: "expired 2 h ago", "not valid for another 3 min".
    /// </summary>
    public string? ValidityProblem(DateTimeOffset now)
    {
        if (now < ValidAfter) return $"not valid yet: valid from {Stamp(ValidAfter)}, in {Ago(ValidAfter - now)}";
        if (ValidBefore is { } before && now >= before) return $"expired {Ago(now - before)} ago (valid until {Stamp(before)})";
        return null;
    }

    /// <summary>The validity window as the dry run and the messages print it.</summary>
    public string Validity =>
        ValidAfter == DateTimeOffset.UnixEpoch && ValidBefore is null ? "forever"
        : $"from {(ValidAfter == DateTimeOffset.UnixEpoch ? "always" : Stamp(ValidAfter))} to {(ValidBefore is { } b ? Stamp(b) : "forever")}";

    public string PrincipalList => Principals.Count == 0 ? "any (no principals listed)" : string.Join(", ", Principals);

    /// <summary>Key ids and principals are the CA's free text: control bytes never reach the log.</summary>
    private static string Printable(byte[] bytes) =>
        string.Concat(Encoding.UTF8.GetString(bytes).Select(c => char.IsControl(c) ? '?' : c));

    private static DateTimeOffset? FromUnix(ulong seconds) =>
        seconds >= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? null : DateTimeOffset.FromUnixTimeSeconds((long)seconds);

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A rough span, enough to see at once how far off the clock or the certificate is.</summary>
    public static string Ago(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{(int)span.TotalDays} days",
        { TotalHours: >= 1 } => $"{(int)span.TotalHours} h",
        { TotalMinutes: >= 1 } => $"{(int)span.TotalMinutes} min",
        _ => $"{Math.Max(0, (int)span.TotalSeconds)} s",
    };

    /// <summary>SSH wire format, bounds-checked: any overrun means "not a certificate".</summary>
    private sealed class Reader(byte[] data)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= data.Length;

        public byte[] String()
        {
            var length = UInt32();
            if (length > (uint)(data.Length - Position)) throw new ArgumentOutOfRangeException(nameof(data), "field longer than the blob");
            var value = data.AsSpan(Position, (int)length).ToArray();
            Position += (int)length;
            return value;
        }

        public uint UInt32()
        {
            if (data.Length - Position < 4) throw new ArgumentOutOfRangeException(nameof(data), "blob ends early");
            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(Position));
            Position += 4;
            return value;
        }

        public ulong UInt64()
        {
            if (data.Length - Position < 8) throw new ArgumentOutOfRangeException(nameof(data), "blob ends early");
            var value = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(Position));
            Position += 8;
            return value;
        }
    }
}
