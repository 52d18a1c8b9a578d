using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployRunner.Inputs;

/// <summary>
/// The one parser of each shape of setting text, shared by the inputs, <c>deploy.yml</c>, the
/// payload and the handlers, so two readers of the same setting cannot disagree.
/// </summary>
internal static partial class SettingText
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

    /// <summary>
    /// The items of a list that may also be written on one line (<c>hosts: web1, web2 web3</c>): the
    /// <see cref="Lines"/>, each split at commas, spaces and tabs.
    /// </summary>
    public static IEnumerable<string> Items(string? text) =>
        Lines(text).SelectMany(line => line.Text.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

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

    /// <summary>
    /// The longest duration any input accepts: 35 days, GitHub's limit for a whole workflow run
    /// (a job is stopped earlier: 6 h on GitHub-hosted runners, 5 days on self-hosted ones).
    /// Anything longer is a typo, and would overflow the timers that enforce it.
    /// https://docs.github.com/en/actions/reference/limits
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(35);

    public static bool TryParseDuration(string text, out TimeSpan duration) => DurationProblem(text, out duration) is null;

    /// <summary>
    /// Null when <paramref name="text"/> is a duration (a number with a unit: <c>500ms</c>, <c>90s</c>,
    /// <c>15m</c>, <c>1h30m</c>, above zero, at most <see cref="MaxDuration"/>), otherwise what is
    /// wrong, worded to follow the setting's name. A bare number is refused: <c>timeout: 30</c>
    /// could mean seconds or minutes, and guessing wrong either kills a deployment early or lets it hang.
    /// </summary>
    public static string? DurationProblem(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text.Trim().ToLowerInvariant();
        if (decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
            return $"is '{text}', a number without a unit: write {trimmed}s, {trimmed}m or {trimmed}h (units: ms, s, m, h).";

        var match = DurationPattern().Match(trimmed);
        if (!match.Success || match.Length == 0)
            return $"must be a duration such as 90s, 15m, 1h or 1h30m, not '{text}'.";
        foreach (Capture capture in match.Groups["part"].Captures)
        {
            var milliseconds = capture.Value.EndsWith("ms", StringComparison.Ordinal);
            var amount = double.Parse(capture.Value.AsSpan(0, capture.Value.Length - (milliseconds ? 2 : 1)), CultureInfo.InvariantCulture);
            var seconds = milliseconds ? amount / 1000 : capture.Value[^1] switch { 'h' => amount * 3600, 'm' => amount * 60, _ => amount };
            // Sum in seconds (a double): TimeSpan.FromHours throws on huge values.
            if (seconds > MaxDuration.TotalSeconds || duration.TotalSeconds + seconds > MaxDuration.TotalSeconds)
                return $"is '{text}', longer than the maximum of 35 days (840h): GitHub stops a job long before that (6 h on hosted runners).";
            duration += TimeSpan.FromSeconds(seconds);
        }

        return duration > TimeSpan.Zero ? null : $"must be longer than zero, not '{text}'.";
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|h|m|s))+$")]
    private static partial Regex DurationPattern();
}
