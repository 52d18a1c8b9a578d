using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// What <c>kubectl get -o json</c> prints, read once and checked for the shape the handler then
/// indexes into (objects where objects are expected, text where text is): System.Text.Json's
/// indexers and casts throw InvalidOperationException on any other shape, which would surface as
/// a runner fault. Anything else is a <see cref="JsonException"/>, which every caller already
/// reports as kubectl output it cannot read, and nothing is changed.
/// </summary>
internal static class KubectlJson
{
    private static readonly string[] TextFields = ["apiVersion", "kind"];
    private static readonly string[] MetadataTextFields = ["name", "namespace", "uid"];
    private static readonly string[] ObjectFields = ["spec", "data", "status"];

    /// <summary>Nothing, one object, or a <c>List</c> of them, each of a readable shape.</summary>
    public static List<JsonObject> Items(string output)
    {
        if (output.Trim().Length == 0) return [];
        var node = JsonNode.Parse(output, documentOptions: JsonLimits.DocumentOptions);
        if (node is not JsonObject root) throw new JsonException("kubectl printed JSON that is not an object.");
        if (!root.ContainsKey("items")) return [Checked(root)];
        if (root["items"] is not JsonArray items) throw new JsonException("`items` is not a list.");
        return [.. items.Select(item => item is JsonObject obj ? Checked(obj) : throw new JsonException("an item of `items` is not an object."))];
    }

    /// <summary>One object (<c>kubectl get namespace X -o json</c>), of a readable shape.</summary>
    public static JsonObject Item(string output) =>
        JsonNode.Parse(output, documentOptions: JsonLimits.DocumentOptions) is JsonObject root
            ? Checked(root)
            : throw new JsonException("kubectl printed JSON that is not an object.");

    private static JsonObject Checked(JsonObject item)
    {
        foreach (var field in TextFields) Text(item, field);
        foreach (var field in ObjectFields) Object(item, field);
        if (Object(item, "spec") is { } spec) Object(spec, "template");
        if (Object(item, "data") is { } data && Object(data, "spec") is { } dataSpec) Object(dataSpec, "template");
        if (Object(item, "metadata") is not { } metadata) return item;
        foreach (var field in MetadataTextFields) Text(metadata, field);
        foreach (var map in new[] { "labels", "annotations" })
        {
            if (Object(metadata, map) is not { } entries) continue;
            foreach (var (key, _) in entries) Text(entries, key);
        }

        if (metadata["ownerReferences"] is { } owners)
        {
            if (owners is not JsonArray list) throw Shape("metadata.ownerReferences", "a list");
            foreach (var owner in list)
            {
                if (owner is not JsonObject reference) throw Shape("metadata.ownerReferences[]", "an object");
                Text(reference, "uid");
                if (reference["controller"] is { } controller && controller.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    throw Shape("ownerReferences[].controller", "true or false");
            }
        }

        return item;
    }

    private static JsonObject? Object(JsonObject parent, string field) => parent[field] switch
    {
        null => null,
        JsonObject obj => obj,
        _ => throw Shape(field, "an object"),
    };

    private static void Text(JsonObject parent, string field)
    {
        if (parent[field] is { } value && value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null))
            throw Shape(field, "text");
    }

    private static JsonException Shape(string field, string expected) => new($"`{field}` is not {expected}.");
}
