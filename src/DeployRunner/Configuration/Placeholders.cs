using System.Globalization;
using System.Text.RegularExpressions;
using DeployRunner.Events;

namespace DeployRunner.Configuration;

/// <summary>
/// <c>{environment}</c>, <c>{ref}</c>, <c>{sha}</c>, <c>{id}</c>, <c>{task}</c> and
/// <c>{payload.NAME}</c> in a setting's text, replaced by the deployment's values in one pass:
/// a value is inserted as data and never scanned again, so a payload value holding
/// <c>{sha}</c> stays those five characters. A value with a line break or another control
/// character is refused: substitution must never add a line to a list (a host, a manifest).
/// Scripts are never substituted (see <see cref="Inputs.SettingKind.Script"/>).
/// </summary>
internal static partial class Placeholders
{
    [GeneratedRegex(@"\{(?<name>environment|ref|sha|id|task|payload\.(?<key>[A-Za-z0-9_.-]+))\}")]
    private static partial Regex Pattern();

    public static bool Contains(string text) => Pattern().IsMatch(text);

    /// <summary>The placeholders a text uses, for a warning where they are not substituted.</summary>
    public static IReadOnlyList<string> Find(string text) => Pattern().Matches(text).Select(m => m.Value).Distinct().ToList();

    public static string Substitute(string text, Deployment deployment, string setting)
    {
        return Pattern().Replace(text, match =>
        {
            var value = match.Groups["name"].Value switch
            {
                "environment" => deployment.Environment,
                "ref" => deployment.Ref,
                "sha" => deployment.Sha,
                "id" => deployment.Id.ToString(CultureInfo.InvariantCulture),
                "task" => deployment.Task,
                _ => deployment.Payload.GetScalar(match.Groups["key"].Value)
                     ?? throw new ConfigurationException(
                         $"Setting `{setting}` uses {match.Value}, but the deployment payload has no text, number or boolean `{match.Groups["key"].Value}`. Create the deployment with that payload key, or change the setting.", setting: setting),
            };
            if (value.Any(char.IsControl))
                throw new ConfigurationException($"Setting `{setting}` uses {match.Value}, whose value holds a line break or control character; refused so that it cannot add lines to the setting.", setting: setting);
            return value;
        });
    }
}
