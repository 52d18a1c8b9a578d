namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>One file of a release: where it goes (relative, '/'-separated), where it comes from, and what identifies its content.</summary>
internal sealed record ReleaseFile(string Path, string Source, long Size, bool Executable, string Sha256)
{
    /// <summary>The manifest line: hash, exec flag, size, path (paths with line breaks are refused earlier).</summary>
    public string ManifestLine => $"{Identity} {Path}";

    /// <summary>What must be equal for the server's copy to be reused: content hash, exec flag, size.</summary>
    public string Identity => $"{Sha256} {(Executable ? "x" : "-")} {Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
