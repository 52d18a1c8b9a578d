using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The namespaces this runner creates, and how it recognises them later: they carry the
/// <see cref="OwnershipMark"/> of the environment they were made for. Only a namespace that
/// carries the mark for this exact environment is ever deleted.
/// </summary>
internal static class ManagedNamespace
{
    /// <summary>The Namespace manifest to create, as YAML with every value quoted (an environment name is untrusted).</summary>
    public static string Manifest(string name, string environment)
    {
        var root = new YamlMappingNode
        {
            { "apiVersion", "v1" },
            { "kind", "Namespace" },
            { "metadata", new YamlMappingNode { { "name", new YamlScalarNode(name) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted } } } },
        };
        new OwnershipMark(environment).Stamp(root);
        return Manifests.Render([root]);
    }

    /// <summary>Whether <c>kubectl get namespace -o json</c> output shows a namespace this runner made for this environment.</summary>
    public static bool IsOurs(string namespaceJson, string environment)
    {
        try
        {
            return new OwnershipMark(environment).Of(KubectlJson.Item(namespaceJson)) == Ownership.Ours;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
