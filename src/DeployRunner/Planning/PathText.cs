using System.Globalization;
using System.Text;

namespace DeployRunner.Planning;

/// <summary>A file name from the workspace shown in one log line: it is data someone else chose, so nothing in it may break the line or pass for something else.</summary>
internal static class PathText
{
    /// <summary>
    /// The name as printable text, safe for one log line: control characters and backslashes as
    /// C escapes, the character that stands for bytes that were not UTF-8 as \ufffd.
    /// </summary>
    public static string Escape(string path)
    {
        var builder = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                builder.Append(c).Append(path[++i]);
                continue;
            }

            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\n' => builder.Append(@"\n"),
                '\r' => builder.Append(@"\r"),
                '\t' => builder.Append(@"\t"),
                '\uFFFD' => builder.Append(@"\ufffd"),
                _ when char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }
}
