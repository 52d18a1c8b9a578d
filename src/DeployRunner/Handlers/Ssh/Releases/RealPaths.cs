namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Where a path really is once every symbolic link along it is followed (what realpath(3) gives),
/// with the folders already resolved remembered: an upload of thousands of files in a few
/// folders costs one lstat per file, not one per path component.
/// </summary>
internal sealed class RealPaths
{
    /// <summary>Links followed before giving up (Linux's own limit, ELOOP).</summary>
    private const int MaxLinks = 40;

    private readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);

    public static string Of(string path) => new RealPaths().Resolve(path);

    /// <summary>The real location of the absolute <paramref name="path"/>; a missing part is kept as written.</summary>
    public string Resolve(string path)
    {
        var links = 0;
        return Resolve(Path.GetFullPath(path), ref links);
    }

    private string Resolve(string path, ref int links)
    {
        var parent = Path.GetDirectoryName(path);
        if (parent is null) return path;
        if (!_folders.TryGetValue(parent, out var realParent))
        {
            realParent = Resolve(parent, ref links);
            _folders[parent] = realParent;
        }

        var here = Path.Join(realParent, Path.GetFileName(path));
        var target = new FileInfo(here).LinkTarget;
        if (target is null) return here;
        if (++links > MaxLinks) throw new ConfigurationException($"Input `upload`: {path} goes through more than {MaxLinks} symbolic links.", setting: "upload");
        return Resolve(Path.GetFullPath(target, realParent), ref links);
    }
}
