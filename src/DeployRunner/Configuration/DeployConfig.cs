using System.Text.RegularExpressions;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Configuration;

/// <summary>
/// Deliverybot's <c>.github/deploy.yml</c>: target names mapped to deployment settings. The runner
/// reads each target's <c>environment</c>, its <c>runner:</c> block and Deliverybot's keys for
/// creating a deployment (<see cref="TargetDeployment"/>); a key that is neither is a warning.
/// The file is read with YamlDotNet's representation model (no reflection, trim-safe), which
/// keeps line and column of every node for errors.
/// </summary>
internal sealed partial record DeployConfig(string File, IReadOnlyList<DeployTarget> Targets)
{
    /// <summary>Keys the runner does not know, each with the nearest known key: said once, never fatal.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static DeployConfig Parse(string yaml, string file)
    {
        YamlStream stream;
        try
        {
            stream = YamlLimits.Load(yaml);
        }
        catch (YamlException e)
        {
            // YamlDotNet places a tab in the indentation at 1:1 or at the token after it: point at the tab itself.
            if (IndentationTab(yaml) is { } tab)
                throw Error(tab with { File = file }, "a tab in the indentation; YAML indents with spaces only. Replace the tab with spaces.");
            throw Error(Location(file, e.Start), $"the file is not valid YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" })
            return new DeployConfig(file, []);
        if (stream.Documents.Count > 1)
            throw Error(Location(file, stream.Documents[1].RootNode.Start), "the file holds more than one YAML document; keep one mapping of target names.");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Error(Location(file, stream.Documents[0].RootNode.Start), "the file must be a mapping of target names (production:, review:, ...) to their settings.");

        var targets = new List<DeployTarget>();
        var warnings = new List<string>();
        foreach (var (key, value) in Entries(root, file))
        {
            var name = ScalarText(key) ?? throw Error(Location(file, key.Start), "a target name must be plain text.");
            if (value is not YamlMappingNode target)
                throw Error(Location(file, value.Start), $"target `{name}` must be a mapping (environment:, runner:, ...).");
            targets.Add(ReadTarget(name, target, file, Location(file, key.Start), warnings));
        }

        return new DeployConfig(file, targets) { Warnings = warnings };
    }

    /// <summary>
    /// The target a deployment belongs to: the one <c>payload.target</c> names, else the one whose
    /// environment is the deployment's (exact first, then Deliverybot templates such as
    /// <c>pr${{ pr }}</c>). Null when none matches: the inputs alone apply.
    /// </summary>
    public DeployTarget? FindTarget(string? payloadTarget, string environment)
    {
        if (!string.IsNullOrWhiteSpace(payloadTarget))
        {
            return Targets.FirstOrDefault(t => t.Name == payloadTarget)
                ?? throw new ConfigurationException(
                    $"The deployment's payload.target is '{payloadTarget}', which is not a target in {File} (targets: {NameList(Targets)}). Add it, or create the deployment for one of those.");
        }

        var exact = Targets.Where(t => t.Environment == environment).ToList();
        if (exact.Count == 1) return exact[0];
        if (exact.Count > 1) throw Ambiguous(environment, exact);

        var templated = Targets.Where(t => t.Environment.Contains("${{", StringComparison.Ordinal) && TemplatePattern(t.Environment).IsMatch(environment)).ToList();
        if (templated.Count == 1) return templated[0];
        if (templated.Count > 1) throw Ambiguous(environment, templated);
        return null;
    }

    private ConfigurationException Ambiguous(string environment, List<DeployTarget> targets) => new(
        $"Environment '{environment}' matches several targets in {File} ({NameList(targets)}). Put the target's name in the deployment payload (`target`), as Deliverybot does.");

    private static string NameList(IEnumerable<DeployTarget> targets) => string.Join(", ", targets.Select(t => t.Name));

    /// <summary><c>pr${{ pr }}</c> matches <c>pr17</c>: each <c>${{ ... }}</c> stands for some text.</summary>
    private static Regex TemplatePattern(string environment)
    {
        var parts = TemplateExpression().Split(environment).Select(Regex.Escape);
        return new Regex("^" + string.Join(".+", parts) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex(@"\$\{\{.*?\}\}")]
    private static partial Regex TemplateExpression();

    private static DeployTarget ReadTarget(string name, YamlMappingNode target, string file, ConfigLocation location, List<string> warnings)
    {
        var environment = name;
        var runner = new List<ConfiguredSetting>();
        var deployment = new DeliverybotKeys(name, file);
        foreach (var (key, value) in Entries(target, file))
        {
            switch (ScalarText(key))
            {
                case "environment":
                    environment = ScalarText(value) is { Length: > 0 } text
                        ? text
                        : throw Error(Location(file, value.Start), $"`environment` of target `{name}` must be text.");
                    break;
                case "runner":
                    runner = ReadRunner(name, value, file);
                    break;
                case var other:
                    deployment.Read(other, key, value, warnings);
                    break;
            }
        }

        if (deployment.LegacyEnvironment is { Length: > 0 } legacy && !Entries(target, file).Any(e => ScalarText(e.Key) == "environment"))
            environment = legacy;
        return new DeployTarget(name, environment, runner, location, deployment.Result());
    }

    private static List<ConfiguredSetting> ReadRunner(string target, YamlNode node, string file)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" }) return [];
        if (node is not YamlMappingNode block)
            throw Error(Location(file, node.Start), $"`runner` of target `{target}` must be a mapping of settings (handler:, script:, ...).");

        var settings = new List<ConfiguredSetting>();
        foreach (var (key, value) in Entries(block, file))
        {
            var at = Location(file, key.Start);
            var name = ScalarText(key) ?? throw Error(at, $"a setting name in the runner block of `{target}` must be plain text.");
            var kind = SettingCatalog.KindOf(name);
            if (SettingCatalog.IsSecret(name))
            {
                throw Error(at, $"`{name}` is a secret and cannot be set in {file} (target `{target}`). Remove it from the file, store it as a repository or environment secret, and pass it as the action input `{name}`: ${{{{ secrets.NAME }}}}.", setting: name);
            }

            if (kind is null)
            {
                throw Error(at, $"unknown setting `{name}` in the runner block of `{target}`. Known settings: {string.Join(", ", SettingCatalog.ConfigurableNames)}.", setting: name);
            }

            if (kind == SettingKind.WorkflowOnly)
                throw Error(at, $"`{name}` cannot be set per target (target `{target}`): it is an input of the workflow step. Set it under `with:`.", setting: name);

            settings.Add(new ConfiguredSetting(name, ReadValue(name, kind.Value, value, file), at));
        }

        return settings;
    }

    private static string ReadValue(string name, SettingKind kind, YamlNode value, string file)
    {
        var at = Location(file, value.Start);
        switch (value)
        {
            case YamlScalarNode scalar:
                var text = IsNull(scalar) ? "" : scalar.Value ?? "";
                Check(name, kind, text, at);
                return text;
            case YamlSequenceNode sequence when kind == SettingKind.List:
                var items = new List<string>();
                foreach (var item in sequence)
                {
                    if (item is not YamlScalarNode itemScalar || IsNull(itemScalar))
                        throw Error(Location(file, item.Start), $"`{name}` must be a list of text items.", setting: name);
                    if (itemScalar.Value!.Contains('\n', StringComparison.Ordinal))
                        throw Error(Location(file, item.Start), $"an item of `{name}` holds a line break; give one item per list entry.", setting: name);
                    items.Add(itemScalar.Value);
                }

                return string.Join('\n', items);
            case YamlSequenceNode:
                throw Error(at, $"`{name}` takes a single value, not a list.{(kind == SettingKind.Script ? " Write a multi-line script as a block: `script: |`." : "")}", setting: name);
            default:
                throw Error(at, $"`{name}` must be {Describe(kind)}, not a mapping.", setting: name);
        }
    }

    /// <summary>Checks what can be checked before placeholders are filled in.</summary>
    private static void Check(string name, SettingKind kind, string text, ConfigLocation at)
    {
        if (text.Length == 0 || Placeholders.Contains(text)) return;
        var valid = kind switch
        {
            SettingKind.Boolean => SettingText.TryParseBoolean(text, out _),
            SettingKind.Duration => SettingText.TryParseDuration(text, out _),
            SettingKind.Handler => HandlerCatalog.Names.Contains(text.ToLowerInvariant()),
            _ => true,
        };
        if (valid) return;
        if (kind == SettingKind.Duration && SettingText.DurationProblem(text, out _) is { } problem)
            throw Error(at, $"`{name}` {problem}", setting: name);
        if (kind == SettingKind.Handler)
            throw Error(at, $"unknown handler '{text}'. Use one of: {string.Join(", ", HandlerCatalog.Names)}.", setting: name);
        throw Error(at, $"`{name}` must be {Describe(kind)}, not '{text}'.", setting: name);
    }

    private static string Describe(SettingKind kind) => kind switch
    {
        SettingKind.Boolean => "true or false",
        SettingKind.Duration => "a duration such as 90s, 15m or 1h30m",
        SettingKind.Handler => "a handler name",
        SettingKind.List => "text or a list of text items",
        _ => "text",
    };

    /// <summary>A mapping's entries with YAML merge keys (<c>&lt;&lt;: *defaults</c>) applied; keys written in the mapping win.</summary>
    private static IEnumerable<(YamlNode Key, YamlNode Value)> Entries(YamlMappingNode mapping, string file)
    {
        var merged = new List<(YamlNode Key, YamlNode Value)>();
        var own = new List<(YamlNode Key, YamlNode Value)>();
        foreach (var (key, value) in mapping.Children)
        {
            if (ScalarText(key) != "<<")
            {
                own.Add((key, value));
                continue;
            }

            IEnumerable<YamlNode> sources = value is YamlSequenceNode list ? list.Children : [value];
            foreach (var source in sources)
            {
                if (source is not YamlMappingNode sourceMapping)
                    throw Error(Location(file, source.Start), "a merge key (<<) must refer to a mapping.");
                merged.AddRange(Entries(sourceMapping, file));
            }
        }

        var ownNames = own.Select(e => ScalarText(e.Key)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string?>(StringComparer.Ordinal);
        foreach (var entry in own.Concat(merged.Where(m => !ownNames.Contains(ScalarText(m.Key)))))
        {
            if (seen.Add(ScalarText(entry.Key))) yield return entry;
        }
    }

    private static string? ScalarText(YamlNode node) => node is YamlScalarNode scalar && !IsNull(scalar) ? scalar.Value : null;

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static ConfigLocation Location(string file, Mark mark) => new(file, mark.Line, mark.Column);

    /// <summary>The first tab in a line's leading white space, 1-based like YamlDotNet's marks.</summary>
    private static ConfigLocation? IndentationTab(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indentation && lines[i].TrimStart(' ', '\t').Length > 0) return new ConfigLocation("", i + 1, tab + 1);
        }

        return null;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static ConfigurationException Error(ConfigLocation at, string message, string? setting = null) => new($"{at}: {message}", setting: setting);
}
