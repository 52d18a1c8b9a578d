using System.Text;

namespace DeployRunner.Workflow;

/// <summary>Makes untrusted text inert inside a Markdown table cell (no links, no HTML, no new cells).</summary>
internal static class MarkdownText
{
    public static string Cell(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r' or '\n': builder.Append(' '); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                case '|' or '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '#' or '!' or '~':
                    builder.Append('\\').Append(c);
                    break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }
}
