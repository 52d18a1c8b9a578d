namespace DeployRunner.Inputs;

/// <summary>
/// The one parser of each shape of setting text, shared by the inputs, <c>deploy.yml</c>, the
/// payload and the handlers, so two readers of the same setting cannot disagree.
/// </summary>
internal static class SettingText
{
    /// <summary>
    /// The lines of a list setting, trimmed, skipping blank lines and <c>#</c> comment lines, with
    /// their 1-based line numbers (for messages). Any line break counts: <c>\n</c>, <c>\r\n</c>, <c>\r</c>.
    /// Comment lines go first, so "# web3 web4" is never read as two hosts.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> Lines(string? text)
    {
        var lines = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split(['\n', '\r']);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            yield return (i + 1, line);
        }
    }

    /// <summary><c>true</c>/<c>yes</c>/<c>on</c>/<c>1</c> or <c>false</c>/<c>no</c>/<c>off</c>/<c>0</c>, any case.</summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on" or "1":
                value = true;
                return true;
            case "false" or "no" or "off" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
