namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>A release's manifest as read back from a server: path to (hash, exec flag).</summary>
internal static class ReleaseManifest
{
    /// <summary>
    /// The manifest's entries, without those that are (or are under) a symbolic link in the
    /// release now: a phase-one script may have linked a folder to <c>shared/</c>, and a hard link
    /// made through it would be a link to a file outside the release.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> lines, IEnumerable<string> symbolicLinks)
    {
        var links = symbolicLinks.ToHashSet(StringComparer.Ordinal);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 4);
            if (parts.Length == 4 && parts[0].Length == 64 && !ThroughLink(parts[3], links)) entries[parts[3]] = parts[0] + " " + parts[1] + " " + parts[2];
        }

        return entries;
    }

    private static bool ThroughLink(string path, HashSet<string> links)
    {
        if (links.Count == 0) return false;
        for (var end = path.Length; end > 0; end = path.LastIndexOf('/', end - 1))
        {
            if (links.Contains(path[..end])) return true;
        }

        return false;
    }

    /// <summary>Files of <paramref name="upload"/> that are identical (content, exec flag, size) in the base release: copied on the server instead of sent.</summary>
    public static IReadOnlyList<ReleaseFile> Unchanged(UploadSet upload, IReadOnlyDictionary<string, string> baseManifest) =>
        upload.Files.Where(f => baseManifest.TryGetValue(f.Path, out var identity) && identity == f.Identity).ToList();
}
