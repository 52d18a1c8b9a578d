using System.Globalization;
using System.Text.Json.Nodes;
using DeployRunner.Inputs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Configuration;

/// <summary>Deliverybot's own keys of a target, read with the same file, line and column errors as the rest.</summary>
internal sealed partial record DeployConfig
{
    /// <summary>The keys of a target the runner knows: Deliverybot's, and its own <c>runner</c>.</summary>
    public static readonly IReadOnlyList<string> TargetKeys =
    [
        "environment", "auto_deploy_on", "required_contexts", "transient_environment", "production_environment",
        "description", "payload", "task", "auto_merge", "deployments", "runner", "chatops",
    ];

    /// <summary>The known name nearest to <paramref name="name"/> (a few edits away), for a did-you-mean.</summary>
    public static string? Nearest(string name, IEnumerable<string> known) => NearestName.Find(name, known);

    /// <summary>Collects one target's Deliverybot keys as they are read.</summary>
    private sealed class DeliverybotKeys(string target, string file)
    {
        private IReadOnlyList<string> _autoDeployOn = [];
        private IReadOnlyList<string>? _requiredContexts;
        private bool _transient;
        private bool _production;
        private string? _description;
        private JsonObject? _payload;
        private string? _task;
        private ChatOpsRules? _chatOps;

        /// <summary>The first entry of a pre-2019 <c>deployments:</c> list may name the environment.</summary>
        public string? LegacyEnvironment { get; private set; }

        public TargetDeployment Result() => new(_autoDeployOn, _requiredContexts, _transient, _production, _description, _payload, _task, _chatOps);

        public void Read(string? key, YamlNode keyNode, YamlNode value, List<string> warnings)
        {
            switch (key)
            {
                case "auto_deploy_on":
                    _autoDeployOn = value is YamlSequenceNode ? TextList(key, value) : [Text(key, value)];
                    break;
                case "required_contexts":
                    _requiredContexts = TextList(key, value);
                    break;
                case "transient_environment":
                    _transient = Boolean(key, value);
                    break;
                case "production_environment":
                    _production = Boolean(key, value);
                    break;
                case "description":
                    _description = Text(key, value);
                    break;
                case "task":
                    _task = Text(key, value);
                    break;
                case "payload":
                    _payload = value is YamlMappingNode mapping
                        ? (JsonObject)ToJson(mapping)!
                        : IsNull(value) ? null : throw Error(Location(file, value.Start), $"`payload` of target `{target}` must be a mapping (key: value, ...).", setting: "payload");
                    break;
                case "auto_merge":
                    if (Boolean(key, value))
                        warnings.Add($"{Location(file, value.Start)}: `auto_merge: true` of target `{target}` is ignored: the runner deploys the exact commit of the event and always creates deployments with auto_merge false.");
                    break;
                case "deployments":
                    ReadLegacyList(value, warnings);
                    break;
                case "chatops":
                    _chatOps = ReadChatOps(value, warnings);
                    break;
                default:
                    // A target whose name starts with a dot holds shared values for merge keys (<<: *defaults), not settings.
                    if (!target.StartsWith('.'))
                    {
                        var nearest = key is null ? null : Nearest(key, TargetKeys);
                        warnings.Add($"{Location(file, keyNode.Start)}: unknown key `{key}` in target `{target}`, ignored." + (nearest is null ? $" Known keys: {string.Join(", ", TargetKeys)}." : $" Did you mean `{nearest}`?"));
                    }

                    break;
            }
        }

        /// <summary>
        /// <c>chatops: { permission: write | admin, forks: false | true }</c>: the runner's own
        /// key, read like the others (an unknown key inside is a warning with the nearest one).
        /// </summary>
        private ChatOpsRules? ReadChatOps(YamlNode value, List<string> warnings)
        {
            if (IsNull(value)) return null;
            if (value is not YamlMappingNode mapping)
                throw Error(Location(file, value.Start), $"`chatops` of target `{target}` must be a mapping, such as {{ permission: admin, forks: false }}.", setting: "chatops");
            var rules = ChatOpsRules.Defaults;
            foreach (var (keyNode, entry) in mapping.Children)
            {
                switch (ScalarText(keyNode))
                {
                    case "permission":
                        var permission = Text("chatops.permission", entry);
                        rules = ChatOpsRules.Permissions.Contains(permission, StringComparer.Ordinal)
                            ? rules with { AdminOnly = permission == "admin" }
                            : throw Error(Location(file, entry.Start), $"`chatops.permission` of target `{target}` must be write or admin, not '{Printable(permission)}'.", setting: "chatops.permission");
                        break;
                    case "forks":
                        rules = rules with { Forks = Boolean("chatops.forks", entry) };
                        break;
                    case var other:
                        var nearest = other is null ? null : Nearest(other, ChatOpsRules.Keys);
                        warnings.Add($"{Location(file, keyNode.Start)}: unknown key `{other}` under `chatops` of target `{target}`, ignored." + (nearest is null ? $" Known keys: {string.Join(", ", ChatOpsRules.Keys)}." : $" Did you mean `{nearest}`?"));
                        break;
                }
            }

            return rules;
        }

        private static string Printable(string text) => new(text.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());

        /// <summary>Deliverybot before October 2019: a list per target whose first entry held task, payload, environment and description.</summary>
        private void ReadLegacyList(YamlNode value, List<string> warnings)
        {
            if (value is not YamlSequenceNode { Children.Count: > 0 } list) return;
            if (list.Children[0] is not YamlMappingNode first)
                throw Error(Location(file, list.Children[0].Start), $"an entry of `deployments` of target `{target}` must be a mapping.", setting: "deployments");
            foreach (var (key, entry) in first.Children)
            {
                switch (ScalarText(key))
                {
                    case "environment":
                        LegacyEnvironment = Text("environment", entry);
                        break;
                    case "task" or "payload" or "description" or "auto_merge" or "required_contexts" or "transient_environment" or "production_environment":
                        Read(ScalarText(key), key, entry, warnings);
                        break;
                }
            }
        }

        private string Text(string key, YamlNode value) =>
            value is YamlScalarNode scalar && !IsNull(scalar) && scalar.Value is { } text
                ? text
                : throw Error(Location(file, value.Start), $"`{key}` of target `{target}` must be text.", setting: key);

        private List<string> TextList(string key, YamlNode value)
        {
            if (value is YamlScalarNode scalar && IsNull(scalar)) return [];
            if (value is not YamlSequenceNode sequence)
                throw Error(Location(file, value.Start), $"`{key}` of target `{target}` must be a list, such as [\"build\"] or [].", setting: key);
            return sequence.Children.Select(item => item is YamlScalarNode itemScalar && !IsNull(itemScalar) && itemScalar.Value is { Length: > 0 } text
                    ? text
                    : throw Error(Location(file, item.Start), $"an item of `{key}` of target `{target}` must be text.", setting: key))
                .ToList();
        }

        private bool Boolean(string key, YamlNode value) =>
            value is YamlScalarNode scalar && scalar.Value is { } text && SettingText.TryParseBoolean(text, out var flag)
                ? flag
                : throw Error(Location(file, value.Start), $"`{key}` of target `{target}` must be true or false.", setting: key);

        private static bool IsNull(YamlNode node) => node is YamlScalarNode scalar && DeployConfig.IsNull(scalar);
    }

    /// <summary>
    /// A YAML payload as the JSON Deliverybot sent: plain <c>true</c>/<c>false</c>, numbers and
    /// null keep their type (as a YAML 1.2 reader gives them to JavaScript); quoted text stays text.
    /// </summary>
    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                    obj[ScalarText(key) ?? ""] = ToJson(value);
                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(ToJson).ToArray());
            case YamlScalarNode scalar when scalar.Style == ScalarStyle.Plain:
                if (IsNull(scalar)) return null;
                var text = scalar.Value!;
                if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
                if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && text.Any(char.IsAsciiDigit)) return JsonValue.Create(number);
                return JsonValue.Create(text);
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                return null;
        }
    }
}
