using DeployRunner.Inputs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Reads multi-document YAML into <see cref="KubernetesObject"/>s with YamlDotNet's
/// representation model (no reflection, so it stays trim- and AOT-safe), and writes them back
/// for <c>kubectl apply -f -</c>. Scalars keep their original style, so kubectl reads the same
/// values it would have read from the files.
/// </summary>
internal static class Manifests
{
    public static IReadOnlyList<KubernetesObject> Read(string yaml, string source)
    {
        YamlStream stream;
        try
        {
            stream = YamlLimits.Load(yaml);
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{source}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {Innermost(e).Message}");
        }

        var objects = new List<KubernetesObject>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlScalarNode { Value: null or "" or "~" or "null" }:
                    continue; // An empty document (a trailing ---, or only comments).
                case YamlMappingNode mapping when Scalar(mapping, "kind") is "List" && mapping.Children.TryGetValue(new YamlScalarNode("items"), out var items) && items is YamlSequenceNode list:
                    objects.AddRange(list.Select(item => ToObject(item, source)));
                    break;
                default:
                    objects.Add(ToObject(document.RootNode, source));
                    break;
            }
        }

        return objects;
    }

    /// <summary>The objects as one multi-document YAML stream.</summary>
    public static string Render(IEnumerable<KubernetesObject> objects) => Render(objects.Select(o => o.Node));

    public static string Render(IEnumerable<YamlNode> nodes)
    {
        var writer = new StringWriter { NewLine = "\n" };
        foreach (var node in nodes)
        {
            writer.WriteLine("---");
            new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        }

        return writer.ToString();
    }

    private static KubernetesObject ToObject(YamlNode node, string source)
    {
        var where = $"{source}:{node.Start.Line}";
        if (node is not YamlMappingNode mapping)
            throw new ConfigurationException($"{where}: a manifest document must be a mapping with apiVersion, kind and metadata.");
        var apiVersion = Scalar(mapping, "apiVersion") ?? throw new ConfigurationException($"{where}: the object has no `apiVersion`.");
        var kind = Scalar(mapping, "kind") ?? throw new ConfigurationException($"{where}: the object has no `kind`.");
        var metadata = mapping.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) ? m as YamlMappingNode : null;
        var name = metadata is null ? null : Scalar(metadata, "name");
        if (name is null)
            throw new ConfigurationException($"{where}: the {kind} has no `metadata.name` (generateName is not supported: the runner must know what it applied).");
        return new KubernetesObject(apiVersion, kind, name, metadata is null ? null : Scalar(metadata, "namespace"), mapping, source);
    }

    internal static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    private static Exception Innermost(Exception e) => e.InnerException is YamlException inner ? Innermost(inner) : e;
}
