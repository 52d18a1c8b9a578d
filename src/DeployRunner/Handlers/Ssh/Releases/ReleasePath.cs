using System.Text;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// A file's place in a release, checked component by component before it is used as a path
/// anywhere (a list for the servers' programs, a tar member, an SFTP path). On Linux a backslash
/// is an ordinary character that git checks out as it is, so <c>x\..\..\current\f</c> is one file
/// name here; on another system, or once someone "normalises" it, it walks out of the release.
/// Control characters would split the newline- and tab-separated lists and logs the runner reads
/// back, and a name that is not UTF-8 cannot be sent as the same bytes (SFTP and tar carry UTF-8;
/// .NET reads such a name with U+FFFD in place of the bad bytes).
/// </summary>
internal static class ReleasePath
{
    /// <summary>Linux's limit for one file name, in bytes (NAME_MAX).</summary>
    public const int MaxComponentBytes = 255;

    /// <summary>Linux's limit for a path, in bytes (PATH_MAX, less the release's own prefix).</summary>
    public const int MaxPathBytes = 3072;

    /// <summary>Why <paramref name="path"/> ('/'-separated, relative) cannot be a path in a release; null when it can.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return "it is empty";
        if (path[0] == '/') return "it is absolute (starts with /)";
        if (path.Contains('\uFFFD', StringComparison.Ordinal) || HasLoneSurrogate(path)) return "its name is not valid UTF-8 (shown as \\ufffd)";
        if (path.Any(char.IsControl)) return "it has a control character (a line break, a tab, an escape...) in its name";
        if (path.Contains('\\', StringComparison.Ordinal)) return "it has a backslash in its name (a path separator elsewhere: x\\..\\f would leave the release)";
        if (path.Contains('\u2028', StringComparison.Ordinal) || path.Contains('\u2029', StringComparison.Ordinal)) return "it has a Unicode line separator in its name";
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes) return $"it is longer than {MaxPathBytes} bytes";
        foreach (var component in path.Split('/'))
        {
            switch (component)
            {
                case "": return "it has an empty part (// or a trailing /)";
                case ".": return "it has a `.` part";
                case "..": return "it has a `..` part";
            }

            if (Encoding.UTF8.GetByteCount(component) > MaxComponentBytes) return $"a part of it is longer than {MaxComponentBytes} bytes";
        }

        return null;
    }

    /// <summary>Throws a configuration error naming <paramref name="path"/> (escaped) and what is wrong with it.</summary>
    public static void Check(string path, string setting = "upload")
    {
        if (Problem(path) is { } problem)
            throw new ConfigurationException($"Input `{setting}`: the file \"{PathText.Escape(path)}\" cannot be part of a release: {problem}. Rename the file (git mv) or leave it out of `{setting}`.", setting: setting);
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }

        return false;
    }
}
