using System.Text.RegularExpressions;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Reads a kustomization and every base and component it pulls in, before kubectl builds it.
/// Kustomize's own load restriction (<c>LoadRestrictionsRootOnly</c>, which the handler passes
/// explicitly) keeps the files of one kustomization inside its folder, but a base is a new root:
/// <c>resources: [../../outside]</c> is loaded from anywhere on the machine, and an http(s) URL or
/// a git repository is fetched from the network, even in a dry run. So every reference that can
/// load something must resolve inside the workspace (links followed), and remote ones are refused
/// unless input <c>kustomize-remote</c> allows them. Helm charts and exec plugins need flags the
/// runner never passes; they are refused here with a message instead of kubectl's.
/// </summary>
internal static partial class KustomizationCheck
{
    /// <summary>Kustomize looks for these names, in this order.</summary>
    public static readonly string[] FileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    /// <summary>Bases nest a few levels in practice; past this it is a loop or hostile.</summary>
    private const int MaxDepth = 20;

    /// <summary>Fields whose entries are a kustomization folder, a file or a remote target.</summary>
    private static readonly string[] Roots = ["resources", "bases", "components"];

    /// <summary>Fields whose entries are files (or generator folders) read by kustomize.</summary>
    private static readonly string[] FileLists = ["crds", "configurations", "generators", "transformers", "validators", "patchesStrategicMerge"];

    /// <summary>Fields holding a list of objects with a <c>path</c> to a file.</summary>
    private static readonly string[] PathLists = ["patches", "patchesJson6902", "replacements"];

    private static readonly string[] Generators = ["configMapGenerator", "secretGenerator"];

    private static readonly string[] Helm = ["helmCharts", "helmGlobals", "helmChartInflationGenerator"];

    /// <summary>
    /// The remote references of the kustomization in <paramref name="folder"/> and its bases
    /// (empty when it is all local); a configuration error for anything that leaves the workspace,
    /// for remote references when <paramref name="allowRemote"/> is false, and for Helm charts.
    /// </summary>
    public static IReadOnlyList<string> Check(string folder, string workspace, bool allowRemote)
    {
        var remote = new List<string>();
        Visit(folder, workspace, allowRemote, remote, [], depth: 0);
        return remote;
    }

    private static void Visit(string folder, string workspace, bool allowRemote, List<string> remote, HashSet<string> visiting, int depth)
    {
        var file = FileNames.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        var shown = Path.GetRelativePath(workspace, file ?? folder);
        if (file is null) return; // A folder of plain manifests named as a resource: kustomize reads none of it without a kustomization.
        if (depth > MaxDepth)
            throw new ConfigurationException($"Input `manifests`: {shown} is more than {MaxDepth} bases deep; is there a loop of bases?", setting: "manifests");
        if (!visiting.Add(folder))
            throw new ConfigurationException($"Input `manifests`: {shown} is its own base (a loop of kustomizations).", setting: "manifests");

        YamlMappingNode root;
        try
        {
            var stream = YamlLimits.Load(YamlLimits.ReadFile(file, shown));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" })
            {
                visiting.Remove(folder);
                return;
            }

            root = stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new ConfigurationException($"{shown}: a kustomization must be a mapping (resources:, patches:, ...).", setting: "manifests");
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{shown}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.Message}", setting: "manifests");
        }

        var at = new Place(file, shown, folder, workspace, allowRemote, remote);
        foreach (var field in Helm)
        {
            if (Child(root, field) is { } helm)
                throw at.Error(helm, $"`{field}`: Helm charts are not built (the runner never passes kubectl's --enable-helm, which downloads and runs charts). Render the chart into the manifests (`helm template`) and deploy those.");
        }

        foreach (var field in Roots)
        {
            foreach (var entry in Entries(root, field))
            {
                if (at.Resolve(field, entry) is { } local && Directory.Exists(local))
                    Visit(local, workspace, allowRemote, remote, visiting, depth + 1);
            }
        }

        foreach (var field in FileLists)
        {
            foreach (var entry in Entries(root, field))
            {
                // patchesStrategicMerge also takes an inline patch: text with a line break or a colon is not a path.
                if (field == "patchesStrategicMerge" && IsInlinePatch(entry.Value!)) continue;
                if (at.Resolve(field, entry) is { } local && Directory.Exists(local) && field is "generators" or "transformers" or "validators")
                    Visit(local, workspace, allowRemote, remote, visiting, depth + 1);
            }
        }

        foreach (var field in PathLists)
        {
            foreach (var item in Items(root, field))
            {
                if (item is YamlMappingNode entry && Child(entry, "path") is YamlScalarNode { Value: { Length: > 0 } } path)
                    at.Resolve($"{field}[].path", path);
            }
        }

        if (Child(root, "openapi") is YamlMappingNode openapi && Child(openapi, "path") is YamlScalarNode { Value: { Length: > 0 } } schema)
            at.Resolve("openapi.path", schema);

        foreach (var field in Generators)
        {
            foreach (var item in Items(root, field))
            {
                if (item is not YamlMappingNode generator) continue;
                foreach (var list in new[] { "files", "envs" })
                {
                    foreach (var entry in Entries(generator, list))
                    {
                        // files: [key=path] or [path]
                        var value = entry.Value!;
                        var path = list == "files" && value.IndexOf('=', StringComparison.Ordinal) is var equals and > 0 ? value[(equals + 1)..] : value;
                        at.Resolve($"{field}[].{list}", entry, path);
                    }
                }

                if (Child(generator, "env") is YamlScalarNode { Value: { Length: > 0 } } env) at.Resolve($"{field}[].env", env);
            }
        }

        visiting.Remove(folder);
    }

    /// <summary>
    /// A reference kustomize would fetch: a URL (http, https, git, ssh, file), scp-style
    /// <c>git@host:repo</c>, go-getter's <c>git::</c>, or a path whose first part is a host name
    /// (<c>github.com/org/repo//dir?ref=v1</c>). A local folder with such a name is written
    /// <c>./github.com/...</c>.
    /// </summary>
    public static bool IsRemote(string reference) =>
        reference.Contains("://", StringComparison.Ordinal)
        || reference.StartsWith("git@", StringComparison.Ordinal)
        || reference.StartsWith("git::", StringComparison.Ordinal)
        || HostFirst().IsMatch(reference);

    [GeneratedRegex(@"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:[0-9]+)?/")]
    private static partial Regex HostFirst();

    private static bool IsInlinePatch(string value) => value.Contains('\n', StringComparison.Ordinal) || value.Contains(": ", StringComparison.Ordinal);

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static IEnumerable<YamlNode> Items(YamlMappingNode node, string key) =>
        Child(node, key) is YamlSequenceNode list ? list.Children : [];

    private static IEnumerable<YamlScalarNode> Entries(YamlMappingNode node, string key) =>
        Items(node, key).OfType<YamlScalarNode>().Where(s => !string.IsNullOrEmpty(s.Value));

    /// <summary>One kustomization file: where its references are resolved from, and how its errors are located.</summary>
    private sealed record Place(string File, string Shown, string Folder, string Workspace, bool AllowRemote, List<string> Remote)
    {
        public ConfigurationException Error(YamlNode node, string message) =>
            new($"{Shown}:{node.Start.Line}:{node.Start.Column}: {message}", setting: "manifests");

        /// <summary>The real local path of a reference, checked; null for an allowed remote one.</summary>
        public string? Resolve(string field, YamlScalarNode node, string? value = null)
        {
            var reference = value ?? node.Value!;
            if (IsRemote(reference))
            {
                if (!AllowRemote)
                    throw Error(node, $"`{field}` names the remote '{reference}': kustomize would fetch it from the network. Remote resources are refused unless input `kustomize-remote` is true; vendor the files into the repository instead (a local folder whose name looks like a host: write `./{reference}`).");
                Remote.Add(reference);
                return null;
            }

            if (Path.IsPathRooted(reference))
                throw Error(node, $"`{field}` names the absolute path '{reference}'; name files and bases relative to the kustomization, inside the workspace.");
            try
            {
                return WorkspacePaths.Contain("manifests", reference, Path.Combine(Folder, reference), Workspace);
            }
            catch (ConfigurationException e)
            {
                throw Error(node, $"`{field}`: {e.Message}");
            }
        }
    }
}
