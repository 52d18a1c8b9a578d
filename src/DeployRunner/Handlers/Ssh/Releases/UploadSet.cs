using System.Security.Cryptography;
using Microsoft.Extensions.FileSystemGlobbing;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>One file of a release: where it goes (relative, '/'-separated), where it comes from, and what identifies its content.</summary>
public sealed record ReleaseFile(string Path, string Source, long Size, bool Executable, string Sha256)
{
    /// <summary>The manifest line: hash, exec flag, size, path (paths with line breaks are refused earlier).</summary>
    public string ManifestLine => $"{Identity} {Path}";

    /// <summary>What must be equal for the server's copy to be reused: content hash, exec flag, size.</summary>
    public string Identity => $"{Sha256} {(Executable ? "x" : "-")} {Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The files input <c>upload</c> names, relative to the working directory: files, folders
/// (everything under them) and globs (<c>dist/**/*.js</c>). Paths keep their place relative to
/// the working directory, so <c>working-directory: dist</c> with <c>upload: .</c> makes dist's
/// contents the release root. Empty folders are not part of a release.
/// </summary>
public sealed record UploadSet(IReadOnlyList<ReleaseFile> Files)
{
    public long TotalBytes => Files.Sum(f => f.Size);

    public IEnumerable<string> Directories => Files
        .SelectMany(f => Ancestors(f.Path))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal);

    public string Manifest => string.Join('\n', Files.Select(f => f.ManifestLine)) + (Files.Count > 0 ? "\n" : "");

    public static UploadSet Resolve(IReadOnlyList<string> entries, string root, CancellationToken cancellationToken)
    {
        var found = Match(entries, root);
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

    /// <summary>
    /// The files the entries name, by release path (checked while planning, before any status,
    /// and again at upload time): every entry inside the working directory and matching at least
    /// one file, and no file whose real location (after following symbolic links) is outside it,
    /// so a link in the workspace cannot send the runner's own files to the servers.
    /// </summary>
    public static SortedDictionary<string, string> Match(IReadOnlyList<string> entries, string root)
    {
        var fullRoot = System.IO.Path.GetFullPath(root);
        var realRoot = RealPaths.Of(fullRoot);
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var real = new RealPaths();
        foreach (var entry in entries)
        {
            if (System.IO.Path.IsPathRooted(entry) || entry.Replace('\\', '/').Split('/').Contains(".."))
                throw new ConfigurationException($"Input `upload`: '{entry}' must be a path inside the working directory ({fullRoot}), without `..` or a leading /.");
            var matches = entry.IndexOfAny(['*', '?', '[']) >= 0 ? Glob(entry, fullRoot) : Single(entry, fullRoot);
            if (matches.Count == 0)
                throw new ConfigurationException($"Input `upload`: '{entry}' matches no file in the working directory ({fullRoot}). Build first (an earlier step of the job), or fix the path.");
            foreach (var file in matches)
            {
                var relative = System.IO.Path.GetRelativePath(fullRoot, file).Replace('\\', '/');
                if (relative.StartsWith("../", StringComparison.Ordinal) || relative.Any(char.IsControl))
                    throw new ConfigurationException($"Input `upload`: '{relative}' is outside the working directory or has a control character in its name.");
                var location = real.Resolve(file);
                if (!location.StartsWith(realRoot + "/", StringComparison.Ordinal))
                    throw new ConfigurationException($"Input `upload`: '{relative}' is a symbolic link (or inside one) to {location}, outside the working directory ({fullRoot}); only files of the working directory are uploaded. Copy the file into the working directory, or leave it out of `upload`.");
                found[relative] = file;
            }
        }

        return found;
    }

    private static List<string> Single(string entry, string root)
    {
        var path = System.IO.Path.GetFullPath(entry, root);
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) return [];
        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }).ToList();
    }

    private static List<string> Glob(string entry, string root)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(entry);
        return matcher.GetResultsInFullPath(root).ToList();
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            yield return path[..slash];
    }
}

/// <summary>A release's manifest as read back from a server: path to (hash, exec flag).</summary>
public static class ReleaseManifest
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

    /// <summary>Files of <paramref name="upload"/> that are identical (content, exec flag, size) in the base release: hard-linked instead of sent.</summary>
    public static IReadOnlyList<ReleaseFile> Unchanged(UploadSet upload, IReadOnlyDictionary<string, string> baseManifest) =>
        upload.Files.Where(f => baseManifest.TryGetValue(f.Path, out var identity) && identity == f.Identity).ToList();
}
