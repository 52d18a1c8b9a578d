using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>Where manifests come from: a YAML or JSON file, or a kustomization folder that kubectl builds.</summary>
internal sealed record ManifestSource(string Path, bool IsKustomization)
{
    /// <summary>What a kustomization fetches from the network (allowed by input <c>kustomize-remote</c>); a dry run does not build it.</summary>
    public IReadOnlyList<string> RemoteReferences { get; init; } = [];

    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// Resolves the <c>manifests</c> input, one entry per line, relative to the workspace: files,
    /// folders (their *.yaml, *.yml and *.json files, not recursive, as <c>kubectl -f DIR</c>; or
    /// a kustomization) and globs (<c>k8s/**/*.yaml</c>). Every entry must find something, and
    /// every entry and file must resolve inside the workspace (links followed).
    /// </summary>
    public static IReadOnlyList<ManifestSource> Resolve(IReadOnlyList<string> entries, string workspace, CancellationToken cancellationToken)
    {
        var sources = new List<ManifestSource>();
        foreach (var entry in entries)
        {
            var found = entry.IndexOfAny(['*', '?', '[']) >= 0 ? Glob(entry, workspace, cancellationToken) : Single(entry, workspace, cancellationToken);
            foreach (var source in found)
            {
                CheckName(source.Path, workspace);
                if (!sources.Contains(source)) sources.Add(source);
            }
        }

        return sources;
    }

    /// <summary>
    /// A name with a line break or another control character would print as more than one log
    /// line (and could forge a workflow command); a name that is not UTF-8 reaches .NET with
    /// U+FFFD in it and cannot be opened again. Both are refused, the name shown escaped.
    /// </summary>
    private static void CheckName(string path, string workspace)
    {
        var name = System.IO.Path.GetRelativePath(workspace, path);
        if (name.Any(c => char.IsControl(c) || c == '\uFFFD'))
        {
            var shown = string.Concat(name.Select(c => char.IsControl(c) ? $"\\x{(int)c:X2}" : c == '\uFFFD' ? "?" : c.ToString()));
            throw new ConfigurationException($"Input `manifests`: the file name '{shown}' holds control characters or bytes that are not UTF-8. Rename the file (letters, digits, '-', '_', '.').", setting: "manifests");
        }
    }

    private static List<ManifestSource> Single(string entry, string workspace, CancellationToken cancellationToken)
    {
        var path = WorkspacePaths.Contain("manifests", entry, entry, workspace);
        if (File.Exists(path)) return [new ManifestSource(path, false)];
        if (!Directory.Exists(path))
            throw new ConfigurationException($"Input `manifests`: '{entry}' does not exist in the workspace ({workspace}). Check out the repository first (actions/checkout) or fix the path.", setting: "manifests");
        if (KustomizationCheck.FileNames.Any(name => File.Exists(System.IO.Path.Combine(path, name))))
            return [new ManifestSource(path, true)];

        // One level, as `kubectl -f DIR`; through the shared walker, so an unreadable folder or a
        // link that loops is a configuration error naming it, not a runner fault.
        var files = FolderWalk.Files(path, workspace, "manifests", cancellationToken, depth: 0)
            .Select(file => file.Path)
            .Where(file => ManifestExtensions.Contains(System.IO.Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(file => new ManifestSource(WorkspacePaths.Contain("manifests", System.IO.Path.GetRelativePath(workspace, file), file, workspace), false))
            .ToList();
        return files.Count > 0
            ? files
            : throw new ConfigurationException($"Input `manifests`: the folder '{entry}' holds no .yaml, .yml or .json file and no kustomization.yaml.", setting: "manifests");
    }

    private static List<ManifestSource> Glob(string entry, string workspace, CancellationToken cancellationToken)
    {
        // The shared bounded walker: a link loop under the pattern's folder is a configuration
        // error naming it, where the globbing library's own walk followed it until an IOException.
        var files = FolderWalk.Glob(entry, workspace, "manifests", cancellationToken)
            .Select(file => file.Path)
            .Order(StringComparer.Ordinal)
            .Select(file => new ManifestSource(WorkspacePaths.Contain("manifests", System.IO.Path.GetRelativePath(workspace, file), file, workspace), false))
            .ToList();
        return files.Count > 0
            ? files
            : throw new ConfigurationException($"Input `manifests`: the pattern '{entry}' matches no file in the workspace ({workspace}).", setting: "manifests");
    }
}
