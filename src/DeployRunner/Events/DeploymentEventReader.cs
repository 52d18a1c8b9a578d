using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Inputs;

namespace DeployRunner.Events;

/// <summary>
/// Reads the webhook payload GitHub writes to <c>GITHUB_EVENT_PATH</c>. It tolerates the shapes
/// seen in practice (no <c>action</c> on GHES, null flags, string payloads) and refuses, with a
/// message that says how to fix it, anything it cannot deploy from.
/// </summary>
internal static class DeploymentEventReader
{
    public static async Task<DeploymentEvent> ReadFileAsync(string path, CancellationToken cancellationToken) =>
        FromRoot(await ReadRootAsync(path, cancellationToken), path);

    public static DeploymentEvent Parse(string json, string source = "the event") => FromRoot(ParseRoot(json, source), source);

    /// <summary>The whole webhook payload as a JSON object, whatever the event.</summary>
    public static async Task<JsonObject> ReadRootAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > JsonLimits.MaxEventBytes)
                throw new ConfigurationException($"The event file '{path}' is {length:N0} bytes, over the limit of {JsonLimits.MaxEventBytes / 1024 / 1024} MiB (GitHub caps webhook payloads at 25 MB): it is not an event GitHub wrote.");
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(
                $"Cannot read the event file '{path}': {e.Message.TrimEnd('.')}. Run the action in a workflow triggered by `on: deployment`, or pass --event PATH.");
        }

        return ParseRoot(text, path);
    }

    public static JsonObject ParseRoot(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: JsonLimits.DocumentOptions);
        }
        catch (JsonException e) when (JsonLimits.IsTooDeep(json))
        {
            throw new ConfigurationException(
                $"The event file {source} nests deeper than the limit of {JsonLimits.MaxDepth} levels ({JsonLimits.Place(e, json)}): refused as hostile JSON.");
        }
        catch (JsonException e)
        {
            throw new ConfigurationException(
                $"The event file {source} is not valid JSON ({JsonLimits.Place(e, json)}): expected the webhook payload of a `deployment` event.");
        }

        return root as JsonObject
            ?? throw new ConfigurationException($"The event file {source} is not a JSON object: expected the webhook payload of a `deployment` event.");
    }

    /// <summary>The deployment of a <c>deployment</c> webhook payload; anything else is refused with a message that says what to do.</summary>
    public static DeploymentEvent FromRoot(JsonObject obj, string source, string? eventName = null)
    {
        if (obj["deployment"] is not JsonObject deployment)
        {
            throw new ConfigurationException(
                $"The event in {source} has no `deployment` object. The runner deploys on `on: deployment` workflows (and tears review apps down on `on: pull_request: types: [closed]`); this event {(eventName is null ? "looks like" : "is")} `{eventName ?? Describe(obj)}`. To run an existing deployment from another event, set input `deployment-id`.");
        }

        var repository = Text(Field(obj["repository"], "full_name"));
        return new DeploymentEvent(Text(obj["action"]), ReadDeployment(deployment, source), repository ?? "");
    }

    /// <summary>Reads a deployment object, from an event or from the REST API (same shape).</summary>
    public static Deployment ReadDeployment(JsonObject deployment, string source = "the event")
    {
        var id = deployment["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var parsedId) && parsedId > 0
            ? parsedId
            : throw new ConfigurationException($"The deployment in {source} has no numeric `id`.");

        var environment = Text(deployment["environment"]);
        if (string.IsNullOrWhiteSpace(environment))
            throw new ConfigurationException($"Deployment {id} in {source} has no `environment`.");

        return new Deployment(
            Id: id,
            Sha: Text(deployment["sha"]) ?? "",
            Ref: Text(deployment["ref"]) ?? "",
            Task: NonEmpty(Text(deployment["task"])) ?? "deploy",
            Environment: environment,
            OriginalEnvironment: Text(deployment["original_environment"]),
            Description: Text(deployment["description"]),
            TransientEnvironment: Flag(deployment["transient_environment"]),
            ProductionEnvironment: Flag(deployment["production_environment"]),
            Payload: ReadPayload(deployment["payload"]),
            Creator: Text(Field(deployment["creator"], "login")));
    }

    internal static DeploymentPayload ReadPayload(JsonNode? node) => node switch
    {
        null => DeploymentPayload.None,
        JsonObject obj => DeploymentPayload.FromObject((JsonObject)obj.DeepClone()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => ReadStringPayload(value.GetValue<string>()),
        // An array or a bare number is not something Deliverybot sends; keep it as its JSON text.
        _ => DeploymentPayload.FromText(node.ToJsonString(JsonLimits.WriteOptions)),
    };

    private static DeploymentPayload ReadStringPayload(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(trimmed, documentOptions: JsonLimits.DocumentOptions) is JsonObject parsed)
                    return DeploymentPayload.FromObject(parsed);
            }
            catch (JsonException)
            {
                // Not JSON after all: an opaque string, kept as it is.
            }
        }

        return DeploymentPayload.FromText(text);
    }

    internal static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() switch
    {
        JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => true,
        _ => false,
    }
        ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
        : null;

    /// <summary>A member of an object; null for any other shape (an indexer on an array or a value would throw).</summary>
    internal static JsonNode? Field(JsonNode? node, string name) => node is JsonObject obj ? obj[name] : null;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static bool Flag(JsonNode? node) => node is JsonValue value && value.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => string.Equals(value.GetValue<string>(), "true", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string Describe(JsonObject obj)
    {
        if (obj.ContainsKey("pull_request")) return "pull_request";
        if (obj.ContainsKey("deployment_status")) return "deployment_status";
        if (obj.ContainsKey("pusher")) return "push";
        return "another event";
    }
}
