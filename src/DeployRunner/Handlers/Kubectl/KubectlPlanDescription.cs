using DeployRunner.Planning;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The kubectl plan a dry run prints: cluster, context, namespace, and each object with its
/// rendered images. Kustomizations are built with the local kubectl (which talks to no cluster);
/// an image override that matches nothing is an error here as in a real run. The cluster is not asked.
/// </summary>
internal sealed class KubectlPlanDescription(KubectlSession session)
{
    public async Task<IReadOnlyList<string>> DescribeAsync(CancellationToken cancellationToken)
    {
        var (server, contextNamespace) = ClusterOf(session.Settings.Kubeconfig);
        var lines = new List<string>
        {
            $"Cluster: {server ?? "(the context names no cluster server)"}",
            $"Context: {session.Settings.Kubeconfig.Context}{(session.Settings.Kubeconfig.Contexts.Count > 1 ? $" (of {string.Join(", ", session.Settings.Kubeconfig.Contexts)})" : "")}",
            session.Settings.Namespace is { } ns
                ? $"Namespace: {ns}" + (session.Plan.IsRemoval ? "" : " (created and labelled as managed by this runner if it does not exist)")
                : $"Namespace: {contextNamespace ?? "default"} (the context's; input `namespace` is empty)",
        };

        if (session.Plan.IsRemoval && session.Settings.RemoveNamespace)
        {
            lines.Add($"Would delete namespace {session.Settings.Namespace} and everything in it, only if this runner created it for this environment.");
            return lines;
        }

        var notBuilt = new List<string>();
        var (objects, renderError) = await session.RenderAsync(offline: notBuilt, cancellationToken);
        if (renderError is not null) throw new ConfigurationException(renderError.Reason);
        if (objects.Count == 0 && notBuilt.Count == 0) throw new ConfigurationException("The manifests describe no objects: nothing to deploy.");
        // An override may match an image of the remote part, which a dry run does not see.
        if (!session.Plan.IsRemoval && notBuilt.Count == 0 && session.UnusedImageOverrides(objects) is { } unused) throw new ConfigurationException(unused, setting: "images");
        lines.AddRange(notBuilt);

        // A removal deletes in reverse order and never a Namespace from the manifests (KubectlRemoval).
        var listed = session.Plan.IsRemoval ? objects.Where(o => !(o.Kind == "Namespace" && o.ApiVersion == "v1")).Reverse().ToList() : objects;
        lines.Add(session.Plan.IsRemoval ? $"Would delete {listed.Count} object(s), in this order:" : $"Would apply {listed.Count} object(s), in this order:");
        foreach (var item in listed)
        {
            var images = KubectlSession.ImagesIn([item]).ToList();
            lines.Add($"  {item.Reference}{(item.Namespace is null ? "" : $" (namespace {item.Namespace})")} from {item.Source}"
                      + (images is ["none"] ? "" : $": {string.Join(", ", images)}")
                      + (item.HasRollout && !session.Plan.IsRemoval ? $"; waits up to {session.Timeout} for its rollout" : ""));
        }

        if (session.Settings.Images.Count > 0)
            lines.Add($"Image overrides (input `images`): {string.Join(", ", session.Settings.Images.Select(i => $"{i.Repository}={i.Image}"))}");
        return lines;
    }

    /// <summary>The chosen context's cluster server and namespace, read from the kubeconfig.</summary>
    private static (string? Server, string? Namespace) ClusterOf(Kubeconfig kubeconfig)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(kubeconfig.Text));
        if (stream.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root) return (null, null);
        var context = Child(Named(root, "contexts", kubeconfig.Context), "context") as YamlMappingNode;
        var clusterName = Text(context, "cluster");
        var cluster = clusterName is null ? null : Child(Named(root, "clusters", clusterName), "cluster") as YamlMappingNode;
        return (Text(cluster, "server"), Text(context, "namespace"));
    }

    private static YamlMappingNode? Named(YamlMappingNode root, string section, string name) =>
        Child(root, section) is YamlSequenceNode items
            ? items.OfType<YamlMappingNode>().FirstOrDefault(item => Text(item, "name") == name)
            : null;

    private static string? Text(YamlMappingNode? node, string key) =>
        Child(node, key) is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    private static YamlNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
