using System.Globalization;
using Microsoft.Extensions.FileSystemGlobbing;

namespace DeployRunner.Planning;

/// <summary>One file a walk found: its path as walked (links kept, not resolved) and its size (the link target's).</summary>
internal sealed record WalkedFile(string Path, long Size);

/// <summary>
/// The one way the runner walks a folder of the workspace (an <c>upload</c> folder or glob, a
/// <c>manifests</c> folder or glob). A checked-out tree is data someone else wrote: a symbolic
/// link to a folder above it makes an endless tree (<c>a/loop -&gt; ..</c>: a/loop/loop/loop/...),
/// which a plain recursive enumeration follows until memory or the path length runs out. Here a
/// link to a folder is followed only when it does not lead back to a folder already on the way
/// down, and the walk is bounded in entries and depth and stops when the deployment is stopped;
/// every way out is a configuration error naming the path.
/// </summary>
internal static class FolderWalk
{
    /// <summary>Files and folders looked at in one walk, at most. Each costs an lstat and its path in memory.</summary>
    public const int MaxEntries = 250_000;

    /// <summary>Folders below the start, at most (no real project nests deeper; a loop that slipped through would).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Every file under <paramref name="folder"/>, in ordinal order per folder. Links to files count
    /// as files; links to folders are followed unless they loop. With <paramref name="depth"/>, folders
    /// deeper than it are not entered (a glob without <c>**</c>); otherwise deeper than <see cref="MaxDepth"/> is an error.
    /// <paramref name="maxEntries"/> is <see cref="MaxEntries"/> but in tests, which reach it with fewer.
    /// </summary>
    public static List<WalkedFile> Files(string folder, string root, string setting, CancellationToken cancellationToken, int? depth = null, int maxEntries = MaxEntries)
    {
        var files = new List<WalkedFile>();
        var entries = 0;
        var start = System.IO.Path.GetFullPath(folder);
        var pending = new Stack<(string Path, int Depth, string[] Chain)>();
        pending.Push((start, 0, [WorkspacePaths.RealPath(start)]));
        while (pending.Count > 0)
        {
            var (path, level, chain) = pending.Pop();
            var children = Children(path, root, setting);
            // Pushed in reverse so that folders come off the stack in order.
            var folders = new List<(string, int, string[])>();
            foreach (var child in children)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (++entries > maxEntries)
                    throw Error(setting, $"'{Shown(start, root)}' holds more than {maxEntries.ToString("N0", CultureInfo.InvariantCulture)} files and folders (the runner's limit for one walk, links followed); upload or apply a smaller folder, or exclude what is not needed (such as node_modules)");

                // .NET reads a name that is not UTF-8 with U+FFFD in place of the bad bytes; that
                // name is not the file's, so nothing can be done with it but to say so.
                if (child.Name.Contains('\uFFFD', StringComparison.Ordinal))
                    throw Error(setting, $"the file \"{Shown(child.FullName, root)}\" has a name that is not valid UTF-8 (shown as \\ufffd); rename it (git mv) or leave it out of `{setting}`");

                try
                {
                    Visit(child, start, root, setting, depth, level, chain, files, folders);
                }
                catch (IOException e)
                {
                    throw Error(setting, $"could not read '{Shown(child.FullName, root)}': {e.Message}");
                }
            }

            for (var i = folders.Count - 1; i >= 0; i--) pending.Push(folders[i]);
        }

        return files;
    }

    private static void Visit(FileSystemInfo child, string start, string root, string setting, int? depth, int level, string[] chain, List<WalkedFile> files, List<(string, int, string[])> folders)
    {
        var target = child;
        if (child.LinkTarget is not null)
        {
            try
            {
                target = child.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw Error(setting, $"'{Shown(child.FullName, root)}' is a symbolic link that loops ({e.Message}); remove the link or point it at a real file");
            }

            if (target is null || !(Directory.Exists(child.FullName) || File.Exists(target.FullName)))
                throw Error(setting, $"'{Shown(child.FullName, root)}' is a symbolic link to {child.LinkTarget}, which does not exist; remove the link or build what it points to first");
        }

        if (Directory.Exists(child.FullName))
        {
            if (depth is { } limit && level + 1 > limit) return;
            var real = child.LinkTarget is null ? chain[^1] + "/" + child.Name : WorkspacePaths.RealPath(child.FullName);
            if (child.LinkTarget is not null && !WorkspacePaths.IsInside(real, WorkspacePaths.RealPath(System.IO.Path.GetFullPath(root))))
                throw Error(setting, $"'{Shown(child.FullName, root)}' is a symbolic link (or inside one) to {PathText.Escape(real)}, outside {(setting == "upload" ? "the working directory" : "the workspace")} ({root}); only its own files are taken. Copy the files in, or leave the link out");
            var loop = chain.FirstOrDefault(c => c == real || c.StartsWith(real + "/", StringComparison.Ordinal));
            if (loop is not null)
                throw Error(setting, $"'{Shown(child.FullName, root)}' is a symbolic link to {PathText.Escape(real)}, a folder that contains it: following it would never end (a link loop); remove the link, or name the folders to take instead of their parent");
            if (level + 1 > MaxDepth)
                throw Error(setting, $"'{Shown(child.FullName, root)}' is more than {MaxDepth} folders below '{Shown(start, root)}' (the runner's limit)");
            folders.Add((child.FullName, level + 1, [.. chain, real]));
        }
        else
        {
            files.Add(new WalkedFile(child.FullName, ((FileInfo)(target is FileInfo ? target : new FileInfo(target!.FullName))).Length));
        }
    }

    /// <summary>
    /// The files a glob matches under <paramref name="root"/>: the folder before its first
    /// wildcard part is walked (never the whole workspace for <c>dist/**/*.js</c>), as deep as the
    /// pattern can reach, and the pattern matched against what was found.
    /// </summary>
    public static List<WalkedFile> Glob(string pattern, string root, string setting, CancellationToken cancellationToken)
    {
        var parts = pattern.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var literal = parts.TakeWhile(p => p.IndexOfAny(['*', '?', '[']) < 0).ToList();
        var rest = parts.Skip(literal.Count).ToList();
        var folder = literal.Count == 0 ? System.IO.Path.GetFullPath(root) : System.IO.Path.GetFullPath(string.Join('/', literal), root);
        if (!WorkspacePaths.IsInside(folder, System.IO.Path.GetFullPath(root)))
            throw Error(setting, $"'{pattern}' must stay inside {root} (no `..` or leading /)");
        if (!Directory.Exists(folder)) return [];
        var reach = rest.Contains("**") ? (int?)null : Math.Max(rest.Count - 1, 0);
        var walked = Files(folder, root, setting, cancellationToken, reach);
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(pattern);
        var bySize = walked.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var fullRoot = System.IO.Path.GetFullPath(root);
        return matcher.Match(fullRoot, walked.Select(f => f.Path)).Files
            .Select(m => System.IO.Path.GetFullPath(m.Path, fullRoot))
            .Where(bySize.ContainsKey)
            .Select(p => bySize[p])
            .ToList();
    }

    private static List<FileSystemInfo> Children(string path, string root, string setting)
    {
        try
        {
            return new DirectoryInfo(path)
                .EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false, MatchType = MatchType.Simple })
                .OrderBy(i => i.Name, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(setting, $"could not read the folder '{Shown(path, root)}': {e.Message}");
        }
    }

    private static string Shown(string path, string root)
    {
        var relative = System.IO.Path.GetRelativePath(root, path);
        return PathText.Escape(relative);
    }

    private static ConfigurationException Error(string setting, string text) =>
        new($"Input `{setting}`: {text}.", setting: setting);
}
