using System.Collections.Immutable;
using System.Globalization;

namespace DeployRunner.Inputs;

/// <summary>
/// The action's inputs by name (lower-case, hyphens kept: <c>ssh-key</c>), read once at the edge.
/// Empty values count as "not given", as in the Actions runner, which passes every declared
/// input and fills in the defaults from action.yml.
/// </summary>
internal sealed record InputSet(ImmutableDictionary<string, string> Values)
{
    public static readonly InputSet Empty = new(ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Inputs from <c>INPUT_*</c> variables (the Actions runner upper-cases the name and keeps
    /// hyphens: <c>INPUT_SSH-KEY</c>), then the command line's flags, which win. The flags arrive
    /// parsed and checked (<see cref="Edge.CommandLine"/>, the one parser of the command line).
    /// </summary>
    public static InputSet From(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> flags)
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in environment)
        {
            if (key.StartsWith("INPUT_", StringComparison.Ordinal) && key.Length > 6)
                values[key[6..].ToLowerInvariant()] = value;
        }

        foreach (var (name, value) in flags) values[name.ToLowerInvariant()] = value;
        return new InputSet(values.ToImmutable());
    }

    public static InputSet Of(params (string Name, string Value)[] values) =>
        new(values.ToImmutableDictionary(v => v.Name, v => v.Value, StringComparer.OrdinalIgnoreCase));

    public InputSet With(string name, string value) => new(Values.SetItem(name, value));

    public string? Get(string name) =>
        Values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>The raw value, untrimmed (keys and scripts keep their exact text).</summary>
    public string? GetRaw(string name) =>
        Values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public string GetRequired(string name, string why) =>
        Get(name) ?? throw new ConfigurationException($"Input `{name}` is required {why}. Set it under `with:` in the workflow step.", setting: name);

    public bool GetBool(string name, bool defaultValue) => Get(name) switch
    {
        null => defaultValue,
        var text when SettingText.TryParseBoolean(text, out var value) => value,
        var other => throw new ConfigurationException($"Input `{name}` must be `true` or `false`, not '{other.ToLowerInvariant()}'.", setting: name),
    };

    public int GetPositiveInt(string name, int defaultValue)
    {
        var text = Get(name);
        if (text is null) return defaultValue;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ConfigurationException($"Input `{name}` must be a positive whole number, not '{text}'.", setting: name);
    }

    public TimeSpan GetDuration(string name, TimeSpan defaultValue)
    {
        var text = Get(name);
        if (text is null) return defaultValue;
        return SettingText.DurationProblem(text, out var duration) is { } problem
            ? throw new ConfigurationException($"Input `{name}` {problem}", setting: name)
            : duration;
    }

    /// <summary>Items separated by newlines (and, when <paramref name="commasAndSpaces"/>, commas or spaces).</summary>
    public IReadOnlyList<string> GetList(string name, bool commasAndSpaces = false) => commasAndSpaces
        ? SettingText.Items(Get(name)).ToList()
        : SettingText.Lines(Get(name)).Select(line => line.Text).ToList();
}
