namespace DeployRunner.Edge;

/// <summary>One input as action.yml declares it.</summary>
internal sealed record ActionInput(string Name, string Description, string Default)
{
    /// <summary>
    /// The description cut to its first sentence, without the "ssh handler:" a reader of action.yml
    /// needs and <c>--help</c>, which lists the input under its handler, does not: one line of help.
    /// Which handler reads an input is its definition's to say, never this text's.
    /// </summary>
    public string Summary
    {
        get
        {
            var text = Description.Trim();
            var prefix = text.IndexOf(" handler:", StringComparison.Ordinal);
            if (prefix > 0 && !text[..prefix].Contains(' ', StringComparison.Ordinal)) text = text[(prefix + " handler:".Length)..].Trim();
            text = text.ReplaceLineEndings(" ");
            var end = text.IndexOf(". ", StringComparison.Ordinal);
            text = end > 0 ? text[..(end + 1)] : text;
            return text.Length > 0 ? char.ToUpperInvariant(text[0]) + text[1..] : text;
        }
    }

    /// <summary><c>true</c>/<c>false</c> inputs may be given on the command line as a bare flag (<c>--dry-run</c>).</summary>
    public bool IsSwitch => Default is "true" or "false";
}
