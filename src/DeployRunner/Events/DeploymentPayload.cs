using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// A deployment's free-form payload. GitHub sends it as an object or as a string; a string is
/// usually JSON text, else an opaque value. <c>{}</c>, <c>""</c> and null all mean "none".
/// </summary>
internal sealed record DeploymentPayload
{
    public static readonly DeploymentPayload None = new(null, null);

    private DeploymentPayload(JsonObject? json, string? text)
    {
        Object = json;
        Text = text;
    }

    /// <summary>The payload when it is a JSON object (possibly parsed from a string).</summary>
    public JsonObject? Object { get; }

    /// <summary>The payload when it is a plain, non-JSON string.</summary>
    public string? Text { get; }

    public bool IsEmpty => Object is null && Text is null;

    public static DeploymentPayload FromObject(JsonObject json) => json.Count == 0 ? None : new(json, null);

    public static DeploymentPayload FromText(string text) => text.Length == 0 ? None : new(null, text);

    /// <summary>The payload as scripts see it in <c>DEPLOY_PAYLOAD</c>: JSON text, the plain string, or empty.</summary>
    public string ToScriptValue() => Object?.ToJsonString(Inputs.JsonLimits.WriteOptions) ?? Text ?? "";

    /// <summary>A top-level string, number or boolean value, as text; null when absent or not a scalar.</summary>
    public string? GetScalar(string key) =>
        Object is not null && Object.TryGetPropertyValue(key, out var node) && node is JsonValue value
            ? ScalarText(value)
            : null;

    /// <summary>Every top-level scalar of an object payload, in document order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Scalars()
    {
        if (Object is null) yield break;
        foreach (var (key, node) in Object)
        {
            if (node is JsonValue value && ScalarText(value) is { } text)
                yield return new(key, text);
        }
    }

    private static string? ScalarText(JsonValue value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        System.Text.Json.JsonValueKind.True => "true",
        System.Text.Json.JsonValueKind.False => "false",
        _ => null,
    };

    public bool Equals(DeploymentPayload? other) =>
        other is not null && ToScriptValue() == other.ToScriptValue();

    public override int GetHashCode() => ToScriptValue().GetHashCode(StringComparison.Ordinal);
}
