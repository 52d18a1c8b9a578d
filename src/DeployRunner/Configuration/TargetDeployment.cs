using System.Text.Json.Nodes;

namespace DeployRunner.Configuration;

/// <summary>
/// Deliverybot's keys of one target: what a deployment the runner creates for it carries, and
/// when it is created (<see cref="AutoDeployOn"/>). Values are as written; templates such as
/// <c>${{ pr }}</c> are rendered when a deployment is created (<see cref="DeliverybotTemplate"/>).
/// </summary>
/// <param name="AutoDeployOn">Refs or globs (<c>refs/heads/main</c>, <c>refs/tags/*</c>) and <c>pr</c>; empty: never automatically.</param>
/// <param name="RequiredContexts">The checks GitHub must see pass first; null when the target names none (the runner sends <c>[]</c>).</param>
/// <param name="Task">The deployment's task; null means <c>deploy</c>.</param>
/// <param name="ChatOps">The target's <c>chatops:</c> rules; null when it has none (<see cref="ChatOpsRules.Defaults"/>).</param>
internal sealed record TargetDeployment(
    IReadOnlyList<string> AutoDeployOn,
    IReadOnlyList<string>? RequiredContexts,
    bool TransientEnvironment,
    bool ProductionEnvironment,
    string? Description,
    JsonObject? Payload,
    string? Task,
    ChatOpsRules? ChatOps = null)
{
    /// <summary>Who may deploy or lock the target by comment, and whether a fork's pull request may be deployed.</summary>
    public ChatOpsRules Comments => ChatOps ?? ChatOpsRules.Defaults;

    /// <summary>What Deliverybot sent for a target without any of its keys.</summary>
    public static readonly TargetDeployment Defaults = new([], null, false, false, null, null, null);

    /// <summary>The <c>auto_deploy_on</c> value for pull requests opened or updated.</summary>
    public const string PullRequests = "pr";

    public bool DeploysPullRequests => AutoDeployOn.Contains(PullRequests, StringComparer.Ordinal);

    /// <summary>
    /// Whether a push of <paramref name="gitRef"/> (<c>refs/heads/main</c>, <c>refs/tags/v1</c>)
    /// deploys this target: an exact ref, or a glob whose <c>*</c> stands for any text (it
    /// crosses <c>/</c>, as Deliverybot's minimatch-free comparison did for <c>refs/heads/*</c>).
    /// </summary>
    public bool DeploysPushOf(string gitRef) =>
        AutoDeployOn.Any(pattern => pattern != PullRequests && GlobMatches(pattern, gitRef));

    internal static bool GlobMatches(string pattern, string text)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal)) return string.Equals(pattern, text, StringComparison.Ordinal);
        var parts = pattern.Split('*');
        if (!text.StartsWith(parts[0], StringComparison.Ordinal) || !text.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        if (parts[0].Length + parts[^1].Length > text.Length) return false;
        var at = parts[0].Length;
        var end = text.Length - parts[^1].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = text.IndexOf(middle, at, end - at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + middle.Length;
        }

        return true;
    }
}
