using System.Globalization;
using System.Text;

namespace DeployRunner.Locking;

/// <summary>
/// The branch that holds an environment's lock: <c>deploy-lock/&lt;environment&gt;</c>, one
/// component, so a user sees it among the branches and can delete it without the runner.
/// A name git refuses in a ref component (https://git-scm.com/docs/git-check-ref-format) is
/// percent-encoded byte by byte (UTF-8): everything but ASCII letters, digits, <c>_</c>, <c>-</c>
/// and <c>.</c>, plus a leading <c>-</c> or <c>.</c>, the second dot of <c>..</c> and the dot of a
/// <c>.lock</c> ending. <c>%</c> itself is always encoded, so decoding is plain percent-decoding
/// and two names never share a branch. The name is lower-cased first: GitHub's environment names
/// are not case sensitive (https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment),
/// so <c>Production</c> and <c>production</c> are one environment and one lock.
/// </summary>
internal static class LockBranch
{
    public const string Prefix = "deploy-lock/";

    /// <summary>
    /// The longest encoded component: file systems hold a ref as a file, and 255 bytes is the
    /// usual limit of a file name. 200 leaves room for git's own suffixes (<c>.lock</c>).
    /// </summary>
    public const int MaxEncodedLength = 200;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The branch name (without <c>refs/heads/</c>) for an environment, or a <see cref="ConfigurationException"/> saying why it cannot have one.</summary>
    public static string For(string environment) => Prefix + Encode(environment);

    /// <summary>The encoded component; throws <see cref="ConfigurationException"/> for an empty, non-Unicode or too long name.</summary>
    public static string Encode(string environment)
    {
        if (string.IsNullOrEmpty(environment))
            throw new ConfigurationException("An environment lock needs an environment name; the name is empty.", setting: "environment");
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(environment.ToLowerInvariant());
        }
        catch (EncoderFallbackException)
        {
            throw new ConfigurationException($"The environment name '{Shown(environment)}' is not valid Unicode (a lone surrogate); it cannot be locked.", setting: "environment");
        }

        var text = new StringBuilder(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var keep = b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-' or (byte)'.');
            if (keep && i == 0 && b is (byte)'-' or (byte)'.') keep = false;
            if (keep && b == (byte)'.' && (bytes[i - 1] == (byte)'.' || i == bytes.Length - 1 || EndsWithLock(bytes, i))) keep = false;
            if (keep) text.Append((char)b);
            else text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        if (text.Length > MaxEncodedLength)
            throw new ConfigurationException($"The environment name '{Shown(environment)}' is too long to lock: its branch name would be {text.Length} characters, more than {MaxEncodedLength}.", setting: "environment");
        return text.ToString();
    }

    /// <summary>The environment a lock branch's component names (lower-cased), or null when the component is not one <see cref="Encode"/> writes.</summary>
    public static string? Decode(string component)
    {
        var bytes = new List<byte>(component.Length);
        for (var i = 0; i < component.Length; i++)
        {
            var c = component[i];
            if (c == '%')
            {
                if (i + 2 >= component.Length || !byte.TryParse(component.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)) return null;
                bytes.Add(b);
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }

        try
        {
            var name = StrictUtf8.GetString(bytes.ToArray());
            // Only the canonical spelling: another spelling of the same name is a branch someone made by hand.
            return name.Length > 0 && Encode(name) == component ? name : null;
        }
        catch (Exception e) when (e is DecoderFallbackException or ConfigurationException)
        {
            return null;
        }
    }

    private static bool EndsWithLock(byte[] bytes, int dot) =>
        dot == bytes.Length - 5 && bytes.AsSpan(dot).SequenceEqual(".lock"u8);

    /// <summary>A name as an error message may show it: at most 80 characters, control characters as <c>?</c>.</summary>
    public static string Shown(string name) =>
        new(name.Take(80).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
}
