namespace DeployRunner.Edge;

/// <summary>One input as action.yml declares it.</summary>
internal sealed record ActionInput(string Name, string Description, string Default)
{
    /// <summary>The handler an input belongs to (its description starts "ssh handler:"), or null for every handler.</summary>
    public string? Handler =>
        Description.IndexOf(" handler:", StringComparison.Ordinal) is var at and > 0 && !Description[..at].Contains(' ', StringComparison.Ordinal)
            ? Description[..at]
            : null;

    /// <summary>The description without its handler prefix and cut to its first sentence: one line of help.</summary>
    public string Summary
    {
        get
        {
            var text = Handler is { } handler ? Description[(handler.Length + " handler:".Length)..].Trim() : Description.Trim();
            text = text.ReplaceLineEndings(" ");
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            text = end > 0 ? text[..(end + 1)] : text;
            return text.Length > 0 ? char.ToUpperInvariant(text[0]) + text[1..] : text;
        }
    }

    /// <summary><c>true</c>/<c>false</c> inputs may be given on the command line as a bare flag (<c>--dry-run</c>).</summary>
    public bool IsSwitch => Default is "true" or "false";
}
