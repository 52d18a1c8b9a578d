using System.Security.Cryptography;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// The files input <c>upload</c> names, relative to the working directory: files, folders
/// (everything under them) and globs (<c>dist/**/*.js</c>). Paths keep their place relative to
/// the working directory, so <c>working-directory: dist</c> with <c>upload: .</c> makes dist's
/// contents the release root. Empty folders are not part of a release.
/// </summary>
internal sealed record UploadSet(IReadOnlyList<ReleaseFile> Files)
{
    public long TotalBytes => Files.Sum(f => f.Size);

    // Both are made once per run, on first use, for every server: a 5,000-line join and a sort of
    // the folders per server cost more than the servers' own work on a large fleet.
    private IReadOnlyList<string>? _directories;
    private string? _manifest;

    public IReadOnlyList<string> Directories => _directories ??= [.. Files
        .SelectMany(f => Ancestors(f.Path))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)];

    public string Manifest => _manifest ??= string.Join('\n', Files.Select(f => f.ManifestLine)) + (Files.Count > 0 ? "\n" : "");

    public static UploadSet Resolve(IReadOnlyList<string> entries, string root, CancellationToken cancellationToken)
    {
        var found = Match(entries, root, cancellationToken);
        var files = new ReleaseFile[found.Count];
        // Hashing is local and done once for the whole fleet; in parallel, it is disk-bound anyway.
        Parallel.ForEach(found.Select((pair, index) => (pair, index)), new ParallelOptions { CancellationToken = cancellationToken }, item =>
        {
            var (pair, index) = item;
            var info = new FileInfo(pair.Value);
            using var stream = info.OpenRead();
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
            files[index] = new ReleaseFile(pair.Key, pair.Value, stream.Length, executable, hash);
        });
        return new UploadSet(files);
    }

    /// <summary>Files in one release, at most: each is a manifest line the next deploy reads back from every server.</summary>
    public const int MaxFiles = 100_000;

    /// <summary>Bytes in one release, at most (the sum of its files).</summary>
    public const long MaxBytes = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// A release's manifest, at most: the next deploy reads it back from every server, and a
    /// server's answer is bounded (<see cref="RemoteShell.MaxAnswerBytes"/>) with room for the release log.
    /// </summary>
    public const long MaxManifestBytes = 16L * 1024 * 1024;

    /// <summary>
    /// The files the entries name, by release path (checked while planning, before any status,
    /// and again at upload time): every entry inside the working directory and matching at least
    /// one file, every file's release path a valid path (<see cref="ReleasePath"/>), no file whose
    /// real location (after following symbolic links) is outside it, so a link in the workspace
    /// cannot send the runner's own files to the servers, and the whole set within the limits.
    /// Folders are walked by <see cref="FolderWalk"/>: links that loop are refused, not followed.
    /// </summary>
    public static SortedDictionary<string, string> Match(IReadOnlyList<string> entries, string root, CancellationToken cancellationToken)
    {
        var fullRoot = System.IO.Path.GetFullPath(root);
        var realRoot = RealPaths.Of(fullRoot);
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var real = new RealPaths();
        foreach (var entry in entries)
        {
            if (System.IO.Path.IsPathRooted(entry) || entry.Replace('\\', '/').Split('/').Contains(".."))
                throw new ConfigurationException($"Input `upload`: '{PathText.Escape(entry)}' must be a path inside the working directory ({fullRoot}), without `..` or a leading /.", setting: "upload");
            var matches = entry.IndexOfAny(['*', '?', '[']) >= 0 ? FolderWalk.Glob(entry, fullRoot, "upload", cancellationToken) : Single(entry, fullRoot, cancellationToken);
            if (matches.Count == 0)
                throw new ConfigurationException($"Input `upload`: '{PathText.Escape(entry)}' matches no file in the working directory ({fullRoot}). Build first (an earlier step of the job), or fix the path.", setting: "upload");
            foreach (var file in matches)
            {
                var relative = System.IO.Path.GetRelativePath(fullRoot, file.Path);
                // On Linux a backslash is part of a name, never a separator: the name is checked as it is.
                ReleasePath.Check(relative);
                var location = real.Resolve(file.Path);
                if (!location.StartsWith(realRoot + "/", StringComparison.Ordinal))
                    throw new ConfigurationException($"Input `upload`: '{PathText.Escape(relative)}' is a symbolic link (or inside one) to {PathText.Escape(location)}, outside the working directory ({fullRoot}); only files of the working directory are uploaded. Copy the file into the working directory, or leave it out of `upload`.", setting: "upload");
                found[relative] = file.Path;
                sizes[relative] = file.Size;
            }
        }

        CheckLimits(sizes);
        return found;
    }

    private static void CheckLimits(Dictionary<string, long> sizes)
    {
        if (sizes.Count > MaxFiles)
            throw new ConfigurationException($"Input `upload`: {sizes.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} files, over the limit of {MaxFiles.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} files in one release. Upload a smaller tree (an archive of the rest, unpacked by the script), or leave out what the servers do not need.", setting: "upload");
        var bytes = sizes.Values.Sum();
        if (bytes > MaxBytes)
            throw new ConfigurationException($"Input `upload`: {bytes / 1024.0 / 1024 / 1024:0.0} GiB, over the limit of {MaxBytes / 1024 / 1024 / 1024} GiB in one release. Leave out what the servers do not need.", setting: "upload");
        // A manifest line: 64 hex digits, the exec flag, the size, the path, three spaces and a line break.
        var manifest = sizes.Sum(s => 64 + 1 + 20 + 4 + (long)System.Text.Encoding.UTF8.GetByteCount(s.Key));
        if (manifest > MaxManifestBytes)
            throw new ConfigurationException($"Input `upload`: the release's manifest would be about {manifest / 1024 / 1024} MiB (a line per file), over the limit of {MaxManifestBytes / 1024 / 1024} MiB. Upload fewer files or shorter paths.", setting: "upload");
    }

    private static List<WalkedFile> Single(string entry, string root, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.GetFullPath(entry, root);
        if (File.Exists(path)) return [new WalkedFile(path, new FileInfo(path).Length)];
        if (!Directory.Exists(path)) return [];
        return FolderWalk.Files(path, root, "upload", cancellationToken);
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            yield return path[..slash];
    }
}
