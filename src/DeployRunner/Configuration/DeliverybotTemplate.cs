using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DeployRunner.Configuration;

/// <summary>
/// Deliverybot's <c>${{ name }}</c> templates in a target's environment, description and payload:
/// <c>ref</c>, <c>sha</c> (and Deliverybot's <c>commit.sha</c>), <c>short_sha</c>, <c>pr</c>,
/// <c>target</c>, <c>owner</c>, <c>repo</c>. One pass, values inserted as data and never scanned
/// again. Deliverybot rendered with Mustache, which HTML-escaped the values (<c>/</c> became
/// <c>&amp;#x2F;</c>); that accident is not reproduced.
/// </summary>
internal static partial class DeliverybotTemplate
{
    [GeneratedRegex(@"\$\{\{\s*(?<name>[^}]*?)\s*\}\}")]
    private static partial Regex Expression();

    public static readonly IReadOnlyList<string> Names = ["ref", "sha", "short_sha", "pr", "target", "owner", "repo"];

    public static string Render(string text, IReadOnlyDictionary<string, string> values, string where) =>
        Expression().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            if (name == "commit.sha") name = "sha";
            if (values.TryGetValue(name, out var value)) return value;
            if (name == "pr")
                throw new ConfigurationException($"{where} uses ${{{{ pr }}}}, which only a pull request has: give this target `auto_deploy_on: pr` and deploy it from a `pull_request` event, or use a fixed name.");
            throw new ConfigurationException($"{where} uses ${{{{ {name} }}}}, which the runner does not know. Known: {string.Join(", ", Names.Select(n => $"${{{{ {n} }}}}"))}.");
        });

    /// <summary>Every string of a payload rendered, keys and structure kept.</summary>
    public static JsonNode? Render(JsonNode? node, IReadOnlyDictionary<string, string> values, string where) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Render(p.Value, values, where)))),
        JsonArray array => new JsonArray(array.Select(item => Render(item, values, where)).ToArray()),
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => JsonValue.Create(Render(value.GetValue<string>(), values, where)),
        _ => node?.DeepClone(),
    };
}
