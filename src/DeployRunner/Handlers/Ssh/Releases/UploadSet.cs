using System.Security.Cryptography;
using Microsoft.Extensions.FileSystemGlobbing;

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
                throw new ConfigurationException($"Input `upload`: '{entry}' must be a path inside the working directory ({fullRoot}), without `..` or a leading /.", setting: "upload");
            var matches = entry.IndexOfAny(['*', '?', '[']) >= 0 ? Glob(entry, fullRoot) : Single(entry, fullRoot);
            if (matches.Count == 0)
                throw new ConfigurationException($"Input `upload`: '{entry}' matches no file in the working directory ({fullRoot}). Build first (an earlier step of the job), or fix the path.", setting: "upload");
            foreach (var file in matches)
            {
                var relative = System.IO.Path.GetRelativePath(fullRoot, file).Replace('\\', '/');
                if (relative.StartsWith("../", StringComparison.Ordinal) || relative.Any(char.IsControl))
                    throw new ConfigurationException($"Input `upload`: '{relative}' is outside the working directory or has a control character in its name.", setting: "upload");
                var location = real.Resolve(file);
                if (!location.StartsWith(realRoot + "/", StringComparison.Ordinal))
                    throw new ConfigurationException($"Input `upload`: '{relative}' is a symbolic link (or inside one) to {location}, outside the working directory ({fullRoot}); only files of the working directory are uploaded. Copy the file into the working directory, or leave it out of `upload`.", setting: "upload");
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
