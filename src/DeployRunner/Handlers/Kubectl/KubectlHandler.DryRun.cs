using DeployRunner.Planning;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    /// <summary>
    /// The kubectl plan: cluster, context, namespace, and each object with its rendered images.
    /// Kustomizations are built with the local kubectl (which talks to no cluster); an image
    /// override that matches nothing is an error here as in a real run. The cluster is not asked.
    /// </summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        using var kubeconfig = PrivateKubeconfig.Write(_settings.Kubeconfig.Text);
        var kubectl = new KubectlCli(_settings.KubectlPath, kubeconfig, _settings.Kubeconfig.Context, _context);
        return await new Run(_settings, _context, plan, kubectl).DescribeAsync(cancellationToken);
    }

    /// <summary>Whether a failure would be rolled back (input <c>atomic</c>, parsed once into <see cref="KubectlSettings.Atomic"/>).</summary>
    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) =>
        KubectlDryRun.Lines(plan, _settings.Atomic).Select(line => new DryRunNote(line, Untrusted: false));

    private sealed partial class Run
    {
        public async Task<IReadOnlyList<string>> DescribeAsync(CancellationToken cancellationToken)
        {
            var (server, contextNamespace) = ClusterOf(settings.Kubeconfig);
            var lines = new List<string>
            {
                $"Cluster: {server ?? "(the context names no cluster server)"}",
                $"Context: {settings.Kubeconfig.Context}{(settings.Kubeconfig.Contexts.Count > 1 ? $" (of {string.Join(", ", settings.Kubeconfig.Contexts)})" : "")}",
                settings.Namespace is { } ns
                    ? $"Namespace: {ns}" + (plan.IsRemoval ? "" : " (created and labelled as managed by this runner if it does not exist)")
                    : $"Namespace: {contextNamespace ?? "default"} (the context's; input `namespace` is empty)",
            };

            if (plan.IsRemoval && settings.RemoveNamespace)
            {
                lines.Add($"Would delete namespace {settings.Namespace} and everything in it, only if this runner created it for this environment.");
                return lines;
            }

            var notBuilt = new List<string>();
            var (objects, renderError) = await RenderAsync(offline: notBuilt, cancellationToken);
            if (renderError is not null) throw new ConfigurationException(renderError.Reason);
            if (objects.Count == 0 && notBuilt.Count == 0) throw new ConfigurationException("The manifests describe no objects: nothing to deploy.");
            // An override may match an image of the remote part, which a dry run does not see.
            if (!plan.IsRemoval && notBuilt.Count == 0 && UnusedImageOverrides(objects) is { } unused) throw new ConfigurationException(unused, setting: "images");
            lines.AddRange(notBuilt);

            // A removal deletes in reverse order and never a Namespace from the manifests (KubectlHandler.Remove.cs).
            var listed = plan.IsRemoval ? objects.Where(o => !(o.Kind == "Namespace" && o.ApiVersion == "v1")).Reverse().ToList() : objects;
            lines.Add(plan.IsRemoval ? $"Would delete {listed.Count} object(s), in this order:" : $"Would apply {listed.Count} object(s), in this order:");
            foreach (var item in listed)
            {
                var images = ImagesIn([item]).ToList();
                lines.Add($"  {item.Reference}{(item.Namespace is null ? "" : $" (namespace {item.Namespace})")} from {item.Source}"
                          + (images is ["none"] ? "" : $": {string.Join(", ", images)}")
                          + (item.HasRollout && !plan.IsRemoval ? $"; waits up to {Timeout} for its rollout" : ""));
            }

            if (settings.Images.Count > 0)
                lines.Add($"Image overrides (input `images`): {string.Join(", ", settings.Images.Select(i => $"{i.Repository}={i.Image}"))}");
            return lines;
        }

        /// <summary>The <c>images</c> entries that match no container: an error before anything is applied.</summary>
        private string? UnusedImageOverrides(IReadOnlyList<KubernetesObject> objects)
        {
            var counts = ImageOverride.Apply(settings.Images, objects);
            var unused = settings.Images.Where((_, i) => counts[i] == 0).Select(o => o.Repository).ToList();
            return unused.Count == 0
                ? null
                : $"Input `images`: no container in the manifests uses {string.Join(", ", unused.Select(u => $"'{u}'"))}; nothing was applied. Images in the manifests: {string.Join(", ", ImagesIn(objects))}.";
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
}
