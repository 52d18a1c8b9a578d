using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// The parts of a <c>pull_request</c> (or <c>pull_request_target</c>) webhook payload the runner
/// uses to find the pull request's review apps: its number, head branch and commit, and whether
/// the head branch lives in a fork.
/// </summary>
internal sealed record PullRequestEvent(string? Action, long Number, string HeadRef, string HeadSha, bool FromFork = true, string? Author = null)
{
    /// <summary>The types that deploy a review app: a pull request opened, updated or reopened.</summary>
    public static readonly IReadOnlyList<string> DeployingActions = ["opened", "synchronize", "reopened"];

    public bool IsClosed => string.Equals(Action, "closed", StringComparison.Ordinal);

    /// <summary>
    /// Dependabot's pull requests run, like a fork's, with a read-only token and no secrets.
    /// https://docs.github.com/en/code-security/dependabot/working-with-dependabot/automating-dependabot-with-github-actions
    /// </summary>
    public bool ByDependabot => string.Equals(Author, "dependabot[bot]", StringComparison.OrdinalIgnoreCase);

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
    /// only) or one of its <c>refs/pull/N/...</c> refs. A bare SHA names a commit, not a pull
    /// request (stacked pull requests and forks share commits): see <see cref="IsShaRef"/>.
    /// </summary>
    public bool IsOwnRef(string deploymentRef) =>
        (!FromFork && BranchRefs.Contains(deploymentRef, StringComparer.Ordinal))
        || PullRefs.Contains(deploymentRef, StringComparer.Ordinal);

    /// <summary>
    /// Whether a deployment was made from its own SHA (whole or abbreviated, at least 7 hex
    /// digits). A branch whose name looks like a prefix of the SHA counts as a SHA too: the
    /// ambiguous reading is the one that removes less.
    /// </summary>
    public static bool IsShaRef(string deploymentRef, string deploymentSha) =>
        deploymentRef.Length >= 7 && deploymentRef.All(char.IsAsciiHexDigit) && deploymentSha.StartsWith(deploymentRef, StringComparison.OrdinalIgnoreCase);

    private string[] BranchRefs => [HeadRef, $"heads/{HeadRef}", $"refs/heads/{HeadRef}"];

    private string[] PullRefs => [$"refs/pull/{Number}/head", $"refs/pull/{Number}/merge"];

    /// <summary>
    /// Null when this is not a pull request event: GITHUB_EVENT_NAME (when known) is neither
    /// <c>pull_request</c> nor <c>pull_request_target</c>, or the payload has no <c>pull_request</c>
    /// object (other events, such as reviews, carry one too). Types other than <c>closed</c> and
    /// <see cref="DeployingActions"/> are refused.
    /// </summary>
    public static PullRequestEvent? TryRead(JsonObject root, string? eventName, string source)
    {
        if (eventName is not (null or "pull_request" or "pull_request_target")) return null;
        if (root["pull_request"] is not JsonObject pullRequest) return null;
        var action = DeploymentEventReader.Text(root["action"]);
        if (!string.Equals(action, "closed", StringComparison.Ordinal) && !DeployingActions.Contains(action ?? "", StringComparer.Ordinal))
        {
            throw new ConfigurationException(
                $"The event in {source} is a `pull_request` event of type '{action ?? "(none)"}': the runner deploys review apps when a pull request is opened, synchronized or reopened, and tears them down when it closes. Add `types: [opened, synchronize, reopened, closed]` under `pull_request:` in the workflow's `on:`.");
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
            fromFork,
            DeploymentEventReader.Text(pullRequest["user"]?["login"]));
    }
}
