using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The namespaces this runner creates, and how it recognises them later: the label
/// <c>app.kubernetes.io/managed-by: deliverybot-runner</c> plus the environment's name (as a
/// label, sanitized to a valid label value, and exactly as an annotation). Only a namespace that
/// carries both labels for the same environment is ever deleted.
/// </summary>
public static class ManagedNamespace
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "deliverybot-runner";
    public const string EnvironmentKey = "deliverybot-runner/environment";

    /// <summary>The Namespace manifest to create, as YAML with every value quoted (an environment name is untrusted).</summary>
    public static string Manifest(string name, string environment)
    {
        var labels = new YamlMappingNode { { Quoted(ManagedByLabel), Quoted(ManagedByValue) } };
        var environmentLabel = LabelValue(environment);
        if (environmentLabel.Length > 0) labels.Add(Quoted(EnvironmentKey), Quoted(environmentLabel));
        var root = new YamlMappingNode
        {
            { "apiVersion", "v1" },
            { "kind", "Namespace" },
            {
                "metadata", new YamlMappingNode
                {
                    { "name", Quoted(name) },
                    { "labels", labels },
                    { "annotations", new YamlMappingNode { { Quoted(EnvironmentKey), Quoted(environment) } } },
                }
            },
        };
        return Manifests.Render([root]);
    }

    /// <summary>
    /// A label value (at most 63 characters of letters, digits, '-', '_' and '.', beginning and
    /// ending with a letter or digit) that stays recognisably the environment's name.
    /// </summary>
    public static string LabelValue(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        var value = builder.ToString().Trim('-', '_', '.');
        if (value.Length > 63) value = value[..63].TrimEnd('-', '_', '.');
        return value;
    }

    /// <summary>Whether <c>kubectl get namespace -o json</c> output shows a namespace this runner made for this environment.</summary>
    public static bool IsOurs(string namespaceJson, string environment)
    {
        JsonNode? labels;
        try
        {
            labels = JsonNode.Parse(namespaceJson)?["metadata"]?["labels"];
        }
        catch (JsonException)
        {
            return false;
        }

        if (labels is not JsonObject map) return false;
        var managedBy = map[ManagedByLabel] is JsonValue m && m.TryGetValue<string>(out var by) ? by : null;
        var ourEnvironment = map[EnvironmentKey] is JsonValue e && e.TryGetValue<string>(out var env) ? env : null;
        var expected = LabelValue(environment);
        return managedBy == ManagedByValue && ourEnvironment == (expected.Length > 0 ? expected : null);
    }

    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };
}
