using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Events;
using DeployRunner.Inputs;
using DeployRunner.Workflow;

namespace DeployRunner.Configuration;

/// <summary>The settings a deployment runs with, and where each came from.</summary>
internal sealed record EffectiveSettings(InputSet Settings, IReadOnlyDictionary<string, SettingOrigin> Origins, DeployTarget? Target)
{
    public const string DefaultConfigPath = ".github/deploy.yml";

    /// <summary>
    /// Reads input <c>config</c> (default <c>.github/deploy.yml</c>) from the workspace. The
    /// default file may be absent (the inputs alone apply); a file named on purpose must exist.
    /// </summary>
    public static async Task<DeployConfig?> LoadConfigAsync(InputSet inputs, string workspace, CancellationToken cancellationToken)
    {
        var name = inputs.Get("config") ?? DefaultConfigPath;
        var path = Planning.WorkspacePaths.Contain("config", name, name, workspace);
        if (!File.Exists(path))
        {
            if (name == DefaultConfigPath) return null;
            throw new ConfigurationException($"Input `config` names '{name}', which does not exist in the workspace. Check out the repository first (actions/checkout) or fix the path.", setting: "config");
        }

        return DeployConfig.Parse(await YamlLimits.ReadFileAsync(path, name, cancellationToken), name);
    }

    /// <summary>
    /// Merges, lowest first: the action inputs, the target's <c>runner:</c> block, then the
    /// payload for the settings input <c>payload-overrides</c> lists (none by default: whoever can
    /// create a deployment must not choose hosts or scripts unless the workflow allows it). Then
    /// placeholders in the inputs' and the file's values are filled in.
    /// </summary>
    public static EffectiveSettings Resolve(InputSet inputs, DeployConfig? config, Deployment deployment, IWorkflowLog log)
    {
        var values = inputs.Values.ToBuilder();
        var origins = new Dictionary<string, SettingOrigin>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in inputs.Values.Keys) origins[name] = new SettingOrigin.Input();

        var target = config?.FindTarget(deployment.Payload.GetScalar("target"), deployment.Environment);
        // Deliverybot names the target from .github/deploy.yml in the payload; with no file in the
        // workspace (a workflow without actions/checkout) its runner block would silently not apply.
        if (config is null && deployment.Payload.GetScalar("target") is not null)
            log.Warning($"The deployment's payload names a target, but {DefaultConfigPath} is not in the workspace, so no target's `runner:` block applies: the inputs alone do. Check out the repository first (actions/checkout with ref: ${{{{ github.event.deployment.sha }}}}), or set input `config`.");
        foreach (var setting in target?.Runner ?? [])
        {
            WarnIfOverridden(inputs, setting, target!, log);
            values[setting.Name] = setting.Value;
            origins[setting.Name] = new SettingOrigin.File(setting.Location);
        }

        ApplyPayload(inputs, deployment.Payload, values, origins, log);

        foreach (var (name, origin) in origins)
        {
            if (origin is SettingOrigin.Payload || !values.TryGetValue(name, out var value)) continue;
            switch (SettingCatalog.KindOf(name))
            {
                case SettingKind.Script:
                    if (Placeholders.Find(value) is { Count: > 0 } used)
                        log.Warning($"`{name}` contains {string.Join(", ", used)}: placeholders are not filled in inside scripts, which receive the values as environment variables instead (DEPLOY_ENVIRONMENT, DEPLOY_REF, DEPLOY_SHA, DEPLOY_ID, DEPLOY_TASK, DEPLOY_PAYLOAD_<KEY>).");
                    break;
                case SettingKind.Secret or SettingKind.WorkflowOnly:
                    break;
                default:
                    try
                    {
                        values[name] = Placeholders.Substitute(value, deployment, name);
                    }
                    catch (ConfigurationException e) when (origin is SettingOrigin.File file)
                    {
                        throw new ConfigurationException($"{file.Location}: {e.Message}", setting: e.Setting);
                    }

                    break;
            }
        }

        return new EffectiveSettings(new InputSet(values.ToImmutable()), origins, target);
    }

    /// <summary>
    /// The file wins over the inputs, by design (a target names its own hosts or script); a user
    /// who gave the input on purpose (<c>--script</c> on the command line) must not find out by
    /// watching the other script run. The action.yml default, which the Actions runner passes for
    /// every input nobody set, is no choice and is overridden quietly.
    /// </summary>
    private static void WarnIfOverridden(InputSet inputs, ConfiguredSetting setting, DeployTarget target, IWorkflowLog log)
    {
        if (inputs.GetRaw(setting.Name) is not { } given || string.IsNullOrWhiteSpace(given) || given.Trim() == setting.Value.Trim()) return;
        if (Edge.ActionInputs.Find(setting.Name) is { } declared && given.Trim() == declared.Default.Trim()) return;
        log.Warning($"`{setting.Name}` is set both as an input (the workflow's `with:` or --{setting.Name} on the command line) and by target `{target.Name}` at {setting.Location}; the file's value is used.");
    }

    private static void ApplyPayload(InputSet inputs, DeploymentPayload payload, ImmutableDictionary<string, string>.Builder values, Dictionary<string, SettingOrigin> origins, IWorkflowLog log)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in inputs.GetList("payload-overrides", commasAndSpaces: true))
        {
            var kind = SettingCatalog.KindOf(name);
            if (kind == SettingKind.Secret)
                throw new ConfigurationException($"Input `payload-overrides` lists `{name}`, a secret: secrets come from action inputs only. Remove it from the list.", setting: "payload-overrides");
            if (kind is null or SettingKind.WorkflowOnly)
                throw new ConfigurationException($"Input `payload-overrides` lists `{name}`, which is not a setting a deployment may override. Settings: {string.Join(", ", SettingCatalog.ConfigurableNames)}.", setting: "payload-overrides");
            allowed.Add(name);
        }

        if (payload.Object is null) return;
        foreach (var (key, node) in payload.Object)
        {
            var kind = SettingCatalog.KindOf(key);
            if (kind is null or SettingKind.WorkflowOnly) continue;
            if (!allowed.Contains(key))
            {
                // The payload is written by whoever created the deployment: say it was ignored, so
                // nobody wonders why their value did not apply.
                log.Warning($"The deployment payload sets `{key}`; ignored, because input `payload-overrides` does not list it.");
                continue;
            }

            values[key] = PayloadValue(key, kind.Value, node);
            origins[key] = new SettingOrigin.Payload();
        }
    }

    private static string PayloadValue(string key, SettingKind kind, JsonNode? node)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() is JsonValueKind.String:
                return value.GetValue<string>();
            case JsonValue value when value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return value.ToJsonString();
            case JsonArray array when kind == SettingKind.List:
                var items = array.Select(item => item is JsonValue { } v && v.GetValueKind() == JsonValueKind.String && !v.GetValue<string>().Contains('\n', StringComparison.Ordinal)
                    ? v.GetValue<string>()
                    : throw new ConfigurationException($"payload.{key} must be a list of one-line strings.", setting: key));
                return string.Join('\n', items);
            default:
                throw new ConfigurationException($"payload.{key} must be {(kind == SettingKind.List ? "a string or a list of strings" : "a string, number or boolean")}.", setting: key);
        }
    }

    /// <summary>
    /// Adds where a setting came from to an error a planner or handler raised about it (the
    /// error's <see cref="ConfigurationException.Setting"/>), so a bad value in the file points at
    /// its line. An input needs no pointer: the message already says "Input `name`". An error
    /// about no one setting is left as it is, whatever its text mentions.
    /// </summary>
    public ConfigurationException Explain(ConfigurationException error)
    {
        if (error.Problems.Count > 0) return error.WithProblems(Explain);
        if (error.Setting is not { } name || !Origins.TryGetValue(name, out var origin) || origin is SettingOrigin.Input)
            return error;
        return new ConfigurationException($"{error.Message} (`{name}` {origin})", error, name);
    }
}
