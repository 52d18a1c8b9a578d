namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>A release's manifest as read back from a server: path to (hash, exec flag).</summary>
internal static class ReleaseManifest
{
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 4);
            if (parts.Length == 4 && parts[0].Length == 64) entries[parts[3]] = parts[0] + " " + parts[1] + " " + parts[2];
        }

        return entries;
    }

    /// <summary>Files of <paramref name="upload"/> that are identical (content, exec flag, size) in the base release: copied on the server instead of sent.</summary>
    public static IReadOnlyList<ReleaseFile> Unchanged(UploadSet upload, IReadOnlyDictionary<string, string> baseManifest) =>
        upload.Files.Where(f => baseManifest.TryGetValue(f.Path, out var identity) && identity == f.Identity).ToList();
}
