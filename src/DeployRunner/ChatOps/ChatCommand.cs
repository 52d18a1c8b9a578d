using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployRunner.ChatOps;

/// <summary>
/// A comment's first line read as a command, in Deliverybot's spelling: one of a few closed
/// kinds, or <see cref="Invalid"/> (a command word with the wrong words after it, answered with
/// the usage). A line that starts with none of the command words is conversation: no command.
/// </summary>
internal abstract partial record ChatCommand
{
    private ChatCommand()
    {
    }

    /// <summary><c>/deploy target</c> (the pull request's head) or <c>/deploy ref to target</c>.</summary>
    public sealed record Deploy(string Target, string? Ref) : ChatCommand;

    /// <summary><c>/lock target [reason] [2h]</c>.</summary>
    public sealed record Lock(string Target, string? Reason, TimeSpan? Expiry) : ChatCommand;

    /// <summary><c>/unlock target</c>.</summary>
    public sealed record Unlock(string Target) : ChatCommand;

    /// <summary><c>/locks</c>.</summary>
    public sealed record ListLocks : ChatCommand;

    /// <summary>A command word with words that do not fit it.</summary>
    public sealed record Invalid(string Word, string Usage) : ChatCommand;

    /// <summary>The longest target name or ref a command takes (GitHub's limit for a ref is 255 bytes).</summary>
    public const int MaxWord = 255;

    /// <summary>The longest lock reason kept.</summary>
    public const int MaxReason = 200;

    /// <summary>The longest lock expiry: a lock that should last longer is taken again.</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(30);

    public static readonly IReadOnlyList<string> Words = ["/deploy", "/lock", "/unlock", "/locks"];

    /// <summary>The usage of every command, for a reply to a command that did not parse.</summary>
    public static string UsageOf(string word) => word switch
    {
        "/deploy" => "`/deploy <target>` (the pull request's head commit) or `/deploy <branch, tag or SHA> to <target>`",
        "/lock" => "`/lock <target> [reason] [expiry such as 30m, 2h or 1d]`",
        "/unlock" => "`/unlock <target>`",
        _ => "`/locks`",
    };

    /// <summary>The command on the first line of <paramref name="body"/>, or null when it is conversation.</summary>
    public static ChatCommand? Parse(string body)
    {
        var firstLine = body.Split('\n', 2)[0].TrimEnd('\r').Trim();
        var words = firstLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var word = words[0].ToLowerInvariant();
        if (!Words.Contains(word, StringComparer.Ordinal)) return null;
        var rest = words[1..];
        if (rest.Any(w => w.Length > MaxWord || w.Any(char.IsControl)) && word != "/lock")
            return new Invalid(word, UsageOf(word));

        switch (word)
        {
            case "/deploy" when rest.Length == 1:
                return new Deploy(rest[0], null);
            case "/deploy" when rest.Length == 3 && rest[1].Equals("to", StringComparison.OrdinalIgnoreCase):
                return new Deploy(rest[2], rest[0]);
            case "/lock" when rest.Length >= 1 && rest[0].Length <= MaxWord && !rest[0].Any(char.IsControl):
                TimeSpan? expiry = null;
                var reasonWords = rest[1..];
                if (reasonWords.Length > 0 && ParseExpiry(reasonWords[^1]) is { } parsed)
                {
                    if (parsed <= TimeSpan.Zero || parsed > MaxExpiry) return new Invalid(word, UsageOf(word) + $"; an expiry is at most {MaxExpiry.TotalDays.ToString(CultureInfo.InvariantCulture)}d");
                    expiry = parsed;
                    reasonWords = reasonWords[..^1];
                }

                var reason = string.Join(' ', reasonWords);
                return new Lock(rest[0], reason.Length == 0 ? null : new string(reason.Take(MaxReason).Select(c => char.IsControl(c) ? ' ' : c).ToArray()), expiry);
            case "/unlock" when rest.Length == 1:
                return new Unlock(rest[0]);
            case "/locks" when rest.Length == 0:
                return new ListLocks();
            default:
                return new Invalid(word, UsageOf(word));
        }
    }

    /// <summary><c>30m</c>, <c>2h</c>, <c>1d</c>: a whole number of minutes, hours or days; null for any other word.</summary>
    public static TimeSpan? ParseExpiry(string text)
    {
        var match = ExpiryPattern().Match(text);
        if (!match.Success) return null;
        // Past a year in any unit is past the limit; the number itself may not fit a TimeSpan.
        if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 525_600) return TimeSpan.MaxValue;
        return match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }

    [GeneratedRegex("^([0-9]{1,12})([mhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex ExpiryPattern();
}
