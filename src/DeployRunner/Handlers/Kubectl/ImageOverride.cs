using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// One line of the <c>images</c> input: every container whose image repository is
/// <see cref="Repository"/> gets <see cref="Image"/>.
/// </summary>
internal sealed record ImageOverride(string Repository, string Image)
{
    /// <summary>Parses <c>NAME=IMAGE</c> lines.</summary>
    public static IReadOnlyList<ImageOverride> ParseAll(IReadOnlyList<string> lines)
    {
        var overrides = new List<ImageOverride>();
        foreach (var line in lines)
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? line[..equals].Trim() : "";
            var image = equals > 0 ? line[(equals + 1)..].Trim() : "";
            if (name.Length == 0 || image.Length == 0 || image.Any(char.IsWhiteSpace) || name.Any(char.IsWhiteSpace))
                throw new ConfigurationException($"Input `images`: '{line}' is not NAME=IMAGE (for example `ghcr.io/acme/web=ghcr.io/acme/web:1a2b3c4`).", setting: "images");
            if (RepositoryOf(name) != name)
                throw new ConfigurationException($"Input `images`: '{name}' names a tag or digest; NAME is the image repository only (`{RepositoryOf(name)}`), matched whatever tag the manifests use.", setting: "images");
            if (overrides.Any(o => o.Repository == name))
                throw new ConfigurationException($"Input `images` names '{name}' twice.", setting: "images");
            overrides.Add(new ImageOverride(name, image));
        }

        return overrides;
    }

    /// <summary>
    /// The image reference without its tag and digest: <c>localhost:5000/app:1@sha256:..</c>
    /// gives <c>localhost:5000/app</c>. A colon before the last slash is a registry port, not a tag.
    /// </summary>
    public static string RepositoryOf(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var withoutDigest = at >= 0 ? image[..at] : image;
        var lastSlash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.IndexOf(':', lastSlash + 1);
        return colon >= 0 ? withoutDigest[..colon] : withoutDigest;
    }

    /// <summary>
    /// Sets the images in every <c>containers</c> and <c>initContainers</c> list found anywhere in
    /// the objects (so Pods, workloads, Jobs and CronJobs alike). Returns how many containers each
    /// override changed, in the order given.
    /// </summary>
    public static IReadOnlyList<int> Apply(IReadOnlyList<ImageOverride> overrides, IEnumerable<KubernetesObject> objects)
    {
        var counts = new int[overrides.Count];
        if (overrides.Count == 0) return counts;
        foreach (var item in objects) Visit(item.Node, overrides, counts);
        return counts;
    }

    private static readonly YamlScalarNode ImageKey = new("image");

    private static void Visit(YamlNode node, IReadOnlyList<ImageOverride> overrides, int[] counts)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: "containers" or "initContainers" } && value is YamlSequenceNode containers)
                    {
                        foreach (var container in containers.OfType<YamlMappingNode>()) Substitute(container, overrides, counts);
                    }
                    else
                    {
                        Visit(value, overrides, counts);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence) Visit(item, overrides, counts);
                break;
        }
    }

    private static void Substitute(YamlMappingNode container, IReadOnlyList<ImageOverride> overrides, int[] counts)
    {
        if (!container.Children.TryGetValue(ImageKey, out var current) || current is not YamlScalarNode { Value: { } image }) return;
        var repository = RepositoryOf(image);
        for (var i = 0; i < overrides.Count; i++)
        {
            if (overrides[i].Repository != repository) continue;
            // Quoted, so that no image string can be read back as anything but a string.
            container.Children[ImageKey] = new YamlScalarNode(overrides[i].Image) { Style = ScalarStyle.DoubleQuoted };
            counts[i]++;
            return;
        }
    }
}
