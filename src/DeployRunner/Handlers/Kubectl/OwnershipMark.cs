using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The mark this runner puts on everything it applies or creates for one environment, and the
/// only thing a removal trusts. Three parts, all required:
/// <list type="bullet">
/// <item>label <c>app.kubernetes.io/managed-by: deliverybot-runner</c>;</item>
/// <item>label <c>deliverybot-runner/environment</c>: a hash of the exact environment name (a label
/// value cannot hold every name, and a lossy sanitized one lets <c>pr/17</c> match <c>pr-17</c>
/// and an empty one match anything);</item>
/// <item>annotation <c>deliverybot-runner/environment</c>: the exact environment name.</item>
/// </list>
/// </summary>
internal sealed record OwnershipMark(string Environment)
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "deliverybot-runner";
    public const string EnvironmentKey = "deliverybot-runner/environment";

    /// <summary>The environment label's value: 40 hex digits of the SHA-256 of the exact name (UTF-8).</summary>
    public string LabelValue { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment)))[..40];

    /// <summary>Adds the mark to an object's <c>metadata</c> (labels and annotations it already has stay).</summary>
    public void Stamp(YamlMappingNode item)
    {
        var metadata = Child(item, "metadata");
        var labels = Child(metadata, "labels");
        Set(labels, ManagedByLabel, ManagedByValue);
        Set(labels, EnvironmentKey, LabelValue);
        Set(Child(metadata, "annotations"), EnvironmentKey, Environment);
    }

    /// <summary>Replaces any entry whose key reads the same (whatever its quoting), so no key is ever doubled.</summary>
    private static void Set(YamlMappingNode mapping, string key, string value)
    {
        foreach (var same in mapping.Children.Keys.Where(k => k is YamlScalarNode { Value: { } text } && text == key).ToList())
            mapping.Children.Remove(same);
        mapping.Children.Add(Quoted(key), Quoted(value));
    }

    /// <summary>Whose an object is, from its JSON as the API returns it.</summary>
    public Ownership Of(JsonNode? item)
    {
        var metadata = item?["metadata"];
        var managedBy = Text(metadata?["labels"]?[ManagedByLabel]);
        var label = Text(metadata?["labels"]?[EnvironmentKey]);
        var annotation = Text(metadata?["annotations"]?[EnvironmentKey]);
        if (managedBy != ManagedByValue) return Ownership.NotOurs;
        if (label == LabelValue && annotation == Environment) return Ownership.Ours;
        return annotation is not null && label is not null && label == new OwnershipMark(annotation).LabelValue ? Ownership.AnotherEnvironment : Ownership.NotOurs;
    }

    /// <summary>The annotation's environment name of an object marked for another environment.</summary>
    public static string? EnvironmentOf(JsonNode? item) => Text(item?["metadata"]?["annotations"]?[EnvironmentKey]);

    /// <summary>
    /// The two commands that adopt objects for this environment (the explicit step for objects
    /// deployed before marking, or by hand): arguments quoted for a POSIX shell.
    /// </summary>
    public string AdoptCommands(IEnumerable<string> references, string? ns)
    {
        var targets = string.Join(' ', references.Select(Quote));
        var where = ns is null ? "" : $" --namespace {Quote(ns)}";
        return $"kubectl label --overwrite{where} {targets} {ManagedByLabel}={ManagedByValue} {EnvironmentKey}={LabelValue} && "
             + $"kubectl annotate --overwrite{where} {targets} {Quote($"{EnvironmentKey}={Environment}")}";
    }

    private static string Quote(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=' or ':')
        ? value
        : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static YamlMappingNode Child(YamlMappingNode parent, string key)
    {
        var existing = parent.Children.FirstOrDefault(e => e.Key is YamlScalarNode { Value: { } text } && text == key);
        if (existing.Value is YamlMappingNode mapping) return mapping;
        // Absent, null (`labels:` with nothing after it) or not a mapping: a fresh one.
        if (existing.Key is not null) parent.Children.Remove(existing.Key);
        var created = new YamlMappingNode();
        parent.Children.Add(new YamlScalarNode(key), created);
        return created;
    }

    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };
}
