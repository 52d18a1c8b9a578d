using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh;

/// <summary>One line of a known_hosts file: which hosts it names and the key they have.</summary>
public sealed record KnownHostEntry(IReadOnlyList<string> Patterns, string KeyType, byte[] KeyBlob, bool Revoked, int Line)
{
    /// <summary>
    /// Whether this line names the host, as OpenSSH matches it (sshd hostfile.c, match.c): a
    /// comma-separated list of patterns with <c>*</c> and <c>?</c>, <c>!</c> to exclude, and hashed
    /// <c>|1|salt|hash</c> names, the HMAC-SHA1 of the name keyed with the salt.
    /// </summary>
    public bool Names(string knownHostsName)
    {
        var matched = false;
        foreach (var pattern in Patterns)
        {
            var negated = pattern.StartsWith('!');
            var body = negated ? pattern[1..] : pattern;
            if (!PatternMatches(body, knownHostsName)) continue;
            if (negated) return false;
            matched = true;
        }

        return matched;
    }

    private static bool PatternMatches(string pattern, string name)
    {
        if (pattern.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = pattern.Split('|');
            if (parts.Length != 4) return false;
            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var hash = Convert.FromBase64String(parts[3]);
                var computed = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
                return CryptographicOperations.FixedTimeEquals(computed, hash);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return WildcardMatches(pattern.ToLowerInvariant(), 0, name, 0);
    }

    private static bool WildcardMatches(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            switch (pattern[p])
            {
                case '*':
                    for (var skip = n; skip <= name.Length; skip++)
                        if (WildcardMatches(pattern, p + 1, name, skip)) return true;
                    return false;
                case '?':
                    if (n >= name.Length) return false;
                    break;
                default:
                    if (n >= name.Length || pattern[p] != name[n]) return false;
                    break;
            }

            p++;
            n++;
        }

        return n == name.Length;
    }
}

/// <summary>The <c>ssh-known-hosts</c> input, parsed once when the handler is created.</summary>
public sealed class KnownHosts
{
    private KnownHosts(IReadOnlyList<KnownHostEntry> entries) => Entries = entries;

    public IReadOnlyList<KnownHostEntry> Entries { get; }

    public static KnownHosts Parse(string inputName, string? text)
    {
        var entries = new List<KnownHostEntry>();
        foreach (var (number, line) in SettingText.Lines(text))
        {
            var i = number - 1;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var revoked = false;
            if (fields[0].StartsWith('@'))
            {
                switch (fields[0])
                {
                    case "@revoked":
                        revoked = true;
                        break;
                    case "@cert-authority":
                        // Host certificates are not checked by this runner: such a line trusts nothing.
                        continue;
                    default:
                        throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: unknown marker '{fields[0]}' (known_hosts knows @revoked and @cert-authority).");
                }

                fields = fields[1..];
            }

            if (fields.Length < 3)
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: expected 'host key-type key' as `ssh-keyscan HOST` prints it, found {fields.Length} field(s).");

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: the key of {fields[1]} is not base64. Copy the line from `ssh-keyscan HOST` unchanged.");
            }

            if (HostKeyFingerprint.KeyTypeOf(blob) != fields[1])
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: the key is not a {fields[1]} key. Copy the line from `ssh-keyscan HOST` unchanged.");

            entries.Add(new KnownHostEntry(fields[0].Split(',', StringSplitOptions.RemoveEmptyEntries), fields[1], blob, revoked, i + 1));
        }

        return new KnownHosts(entries);
    }

    /// <summary>The lines that name the host (revoked ones included).</summary>
    public IReadOnlyList<KnownHostEntry> For(SshHost host) =>
        Entries.Where(e => e.Names(host.KnownHostsName)).ToList();
}

/// <summary>SHA256 fingerprints as <c>ssh-keygen -l</c> prints them, and the key type inside a key blob.</summary>
public static class HostKeyFingerprint
{
    /// <summary><c>SHA256:</c> and the unpadded base64 of the SHA-256 of the key blob.</summary>
    public static string Sha256(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type a key blob starts with (an SSH string), or null if it is not one.</summary>
    public static string? KeyTypeOf(byte[] keyBlob)
    {
        if (keyBlob.Length < 4) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(keyBlob);
        if (length == 0 || length > 64 || length > keyBlob.Length - 4) return null;
        return Encoding.ASCII.GetString(keyBlob, 4, (int)length);
    }

    /// <summary>
    /// Reads <c>ssh-fingerprints</c>: one fingerprint per line, either bare (<c>SHA256:abc...</c>)
    /// or a whole <c>ssh-keygen -lf</c> line, from which the <c>SHA256:</c> word is taken.
    /// </summary>
    public static IReadOnlyList<string> ParseList(string inputName, string? text)
    {
        var fingerprints = new List<string>();
        foreach (var (number, line) in SettingText.Lines(text))
        {
            var i = number - 1;
            var word = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(w => w.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase));
            if (word is null)
            {
                var hint = line.StartsWith("MD5:", StringComparison.OrdinalIgnoreCase) || line.Count(c => c == ':') >= 15
                    ? " MD5 fingerprints are not accepted."
                    : "";
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: expected a SHA256 fingerprint such as SHA256:4Ae0...Qs (`ssh-keygen -lf KEYFILE` prints it).{hint}");
            }

            var base64 = word["SHA256:".Length..].TrimEnd('=');
            if (base64.Length != 43 || !IsBase64(base64 + "="))
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: '{word}' is not a SHA256 fingerprint (43 base64 characters after SHA256:).");
            fingerprints.Add("SHA256:" + base64);
        }

        return fingerprints;
    }

    /// <summary>Fingerprints are case-sensitive base64: compare them exactly.</summary>
    public static bool Matches(string fingerprint, string offered) =>
        string.Equals(fingerprint, offered, StringComparison.Ordinal);

    private static bool IsBase64(string text)
    {
        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
