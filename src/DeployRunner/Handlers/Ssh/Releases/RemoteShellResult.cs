namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What a short remote bash program printed (stdout and stderr, in order) and how it ended.</summary>
internal sealed record RemoteShellResult(int? ExitCode, bool Cancelled, IReadOnlyList<string> Lines)
{
    public bool Succeeded => ExitCode == 0 && !Cancelled;

    /// <summary>Lines that start with <paramref name="tag"/> and a tab, without the tag.</summary>
    public IEnumerable<string> Tagged(string tag) =>
        Lines.Where(l => l.StartsWith(tag + "\t", StringComparison.Ordinal)).Select(l => l[(tag.Length + 1)..]);

    /// <summary>The untagged lines (the program's messages), for an error text.</summary>
    public string Message
    {
        get
        {
            var text = string.Join(" ", Lines.Where(l => !l.Contains('\t', StringComparison.Ordinal)).TakeLast(3)).Trim();
            return text.Length > 0 ? text : Cancelled ? "stopped" : $"exit code {ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}";
        }
    }
}
