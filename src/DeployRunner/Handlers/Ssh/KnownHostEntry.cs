using System.Security.Cryptography;
using System.Text;

namespace DeployRunner.Handlers.Ssh;

/// <summary>One line of a known_hosts file: which hosts it names and the key they have (or the CA that signs their certificates).</summary>
internal sealed record KnownHostEntry(IReadOnlyList<string> Patterns, string KeyType, byte[] KeyBlob, bool Revoked, int Line)
{
    /// <summary>An <c>@cert-authority</c> line: <see cref="KeyBlob"/> is a CA whose host certificates the named hosts may present.</summary>
    public bool CertAuthority { get; init; }

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
