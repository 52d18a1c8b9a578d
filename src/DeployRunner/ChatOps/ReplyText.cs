using System.Text;

namespace DeployRunner.ChatOps;

/// <summary>
/// Untrusted text (a target or ref as typed, a branch name, a lock reason, a login) made inert
/// for a reply comment: one line, bounded, every Markdown character escaped, HTML as entities,
/// and the shapes GitHub turns into links or notifications broken with a zero-width space
/// (<c>@login</c> mentions, <c>https://</c> and <c>www.</c> autolinks), so a reply never pings,
/// links, renders HTML or closes a code span for whoever wrote the comment.
/// https://github.github.com/gfm/#backslash-escapes
/// </summary>
internal static class ReplyText
{
    /// <summary>How many characters of one untrusted value a reply shows.</summary>
    public const int MaxLength = 100;

    private const char ZeroWidthSpace = '\u200B';

    public static string Inline(string? text, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var cut = text.Length > maxLength;
        var shown = cut ? text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)] : text;
        var builder = new StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            switch (c)
            {
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                case '@': builder.Append('@').Append(ZeroWidthSpace); break;
                case ':': builder.Append(ZeroWidthSpace).Append(':'); break;
                case '.': builder.Append('.').Append(ZeroWidthSpace); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '#' or '!' or '~' or '|' or '{' or '}' or '+' or '-' or '=' or '"' or '\'':
                    builder.Append('\\').Append(c);
                    break;
                case var other when char.IsControl(other) || other is '\u2028' or '\u2029': builder.Append(' '); break;
                default: builder.Append(c); break;
            }
        }

        if (cut) builder.Append('…');
        return builder.ToString();
    }

    /// <summary>Untrusted text as a code-like value in a reply: escaped, set off in bold.</summary>
    public static string Value(string? text, int maxLength = MaxLength) => $"**{Inline(text, maxLength)}**";
}
