namespace DeployRunner.Planning;

/// <summary>
/// Every path a setting names must stay inside the workspace, after placeholders were filled in
/// (a payload value such as <c>../../root</c> is data an attacker chose) and after symbolic
/// links are followed (a checked-out link to <c>/</c> is as good as <c>..</c>). A path that
/// leaves is a configuration error, found before any status is posted.
/// </summary>
internal static class WorkspacePaths
{
    /// <summary>The real path of <paramref name="path"/> (every link on the way followed), checked to be inside the workspace.</summary>
    public static string Contain(string setting, string shown, string path, string workspace)
    {
        var root = RealPath(Path.GetFullPath(workspace));
        var real = RealPath(Path.GetFullPath(path, root));
        if (!IsInside(real, root))
            throw new ConfigurationException($"Setting `{setting}` names '{shown}', which resolves to {real}, outside the workspace ({root}). Paths must stay inside the workspace (no '..' and no symbolic links leading out).", setting: setting);
        return real;
    }

    /// <summary>An existing folder inside the workspace; the workspace itself when <paramref name="input"/> is empty.</summary>
    public static string ResolveDirectory(string setting, string? input, string workspace)
    {
        var path = Contain(setting, input ?? ".", input ?? workspace, workspace);
        if (!Directory.Exists(path))
            throw new ConfigurationException($"Input `{setting}` names '{input ?? path}', which does not exist in the workspace. Check out the repository first (actions/checkout) or fix the path.", setting: setting);
        return path;
    }

    public static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// Follows links component by component, as the kernel would; the part that does not exist
    /// yet is kept as written (it cannot be a link). A loop of links is an error, not a hang.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        var current = Path.GetPathRoot(fullPath)!;
        var parts = new Queue<string>(fullPath[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (parts.Count > 0)
        {
            var part = parts.Dequeue();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.Exists || Directory.Exists(next))
            {
                var target = info.LinkTarget ?? new DirectoryInfo(next).LinkTarget;
                if (target is not null)
                {
                    if (++hops > 40) throw new ConfigurationException($"Too many symbolic links while resolving {fullPath}.");
                    var resolved = Path.GetFullPath(target, current);
                    var rest = parts.ToList();
                    current = Path.GetPathRoot(resolved)!;
                    parts = new Queue<string>(resolved[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                    continue;
                }
            }

            current = next;
        }

        return current;
    }
}
