using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// The parts of a <c>pull_request</c> (or <c>pull_request_target</c>) webhook payload the runner
/// uses to find the pull request's review apps: its number, head branch and commit, and whether
/// the head branch lives in a fork.
/// </summary>
internal sealed record PullRequestEvent(string? Action, long Number, string HeadRef, string HeadSha, bool FromFork = true)
{
    /// <summary>
    /// The refs to look deployments up by: the head branch in each form (<c>name</c>,
    /// <c>heads/name</c>, <c>refs/heads/name</c>) when the branch lives in this repository, else
    /// the pull request's own refs (<c>refs/pull/N/head</c>, <c>refs/pull/N/merge</c>). A
    /// fork's branch name names a branch of the base repository here: a fork's <c>main</c> is not
    /// our <c>main</c>. Deployments made from a SHA are found by the head SHA.
    /// </summary>
    public IReadOnlyList<string> LookupRefs => FromFork ? PullRefs : BranchRefs;

    /// <summary>
    /// Whether a deployment's <c>ref</c> names this pull request: a branch form (same repository
    /// only), one of its <c>refs/pull/N/...</c> refs, or the deployment's own SHA.
    /// </summary>
    public bool IsOwnRef(string deploymentRef, string deploymentSha) =>
        (!FromFork && BranchRefs.Contains(deploymentRef, StringComparer.Ordinal))
        || PullRefs.Contains(deploymentRef, StringComparer.Ordinal)
        || (deploymentRef.Length >= 7 && deploymentSha.StartsWith(deploymentRef, StringComparison.OrdinalIgnoreCase) && deploymentRef.All(char.IsAsciiHexDigit));

    private string[] BranchRefs => [HeadRef, $"heads/{HeadRef}", $"refs/heads/{HeadRef}"];

    private string[] PullRefs => [$"refs/pull/{Number}/head", $"refs/pull/{Number}/merge"];

    /// <summary>
    /// Null when this is not a pull request event: GITHUB_EVENT_NAME (when known) is neither
    /// <c>pull_request</c> nor <c>pull_request_target</c>, or the payload has no <c>pull_request</c>
    /// object (other events, such as reviews, carry one too). Any type but <c>closed</c> is refused.
    /// </summary>
    public static PullRequestEvent? TryRead(JsonObject root, string? eventName, string source)
    {
        if (eventName is not (null or "pull_request" or "pull_request_target")) return null;
        if (root["pull_request"] is not JsonObject pullRequest) return null;
        var action = DeploymentEventReader.Text(root["action"]);
        if (!string.Equals(action, "closed", StringComparison.Ordinal))
        {
            throw new ConfigurationException(
                $"The event in {source} is a `pull_request` event of type '{action ?? "(none)"}', with no `deployment` object: the runner tears review apps down only when a pull request closes. Add `types: [closed]` under `pull_request:` in the workflow's `on:`.");
        }

        var number = root["number"] ?? pullRequest["number"];
        var head = pullRequest["head"] as JsonObject;
        var headRef = DeploymentEventReader.Text(head?["ref"]);
        var headSha = DeploymentEventReader.Text(head?["sha"]);
        // ToJsonString, not TryGetValue<long>: a value built in memory from an int has no long view.
        if (number is not JsonValue numberValue || numberValue.GetValueKind() != System.Text.Json.JsonValueKind.Number
            || !long.TryParse(numberValue.ToJsonString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsedNumber)
            || string.IsNullOrWhiteSpace(headRef) || string.IsNullOrWhiteSpace(headSha))
        {
            throw new ConfigurationException($"The pull_request event in {source} has no number, head.ref or head.sha: cannot find its review apps.");
        }

        // A fork unless the head repository is known to be this one: a deleted fork has
        // head.repo null, and an unknown head must not match this repository's branches.
        var headRepository = DeploymentEventReader.Text(DeploymentEventReader.Field(head?["repo"], "full_name"));
        var baseRepository = DeploymentEventReader.Text(DeploymentEventReader.Field(DeploymentEventReader.Field(pullRequest["base"], "repo"), "full_name")) ?? DeploymentEventReader.Text(DeploymentEventReader.Field(root["repository"], "full_name"));
        var fromFork = headRepository is null || baseRepository is null || !string.Equals(headRepository, baseRepository, StringComparison.OrdinalIgnoreCase);

        return new PullRequestEvent(
            action,
            parsedNumber,
            headRef,
            headSha,
            fromFork);
    }
}
