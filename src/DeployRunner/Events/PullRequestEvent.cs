using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// The parts of a <c>pull_request</c> (or <c>pull_request_target</c>) webhook payload the runner
/// uses to find the pull request's review apps: its head branch and head commit.
/// </summary>
public sealed record PullRequestEvent(string? Action, long Number, string HeadRef, string HeadSha)
{
    /// <summary>Every form a deployment's <c>ref</c> takes for the head branch: <c>name</c>, <c>heads/name</c>, <c>refs/heads/name</c>.</summary>
    public IReadOnlyList<string> HeadRefForms => [HeadRef, $"heads/{HeadRef}", $"refs/heads/{HeadRef}"];

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

        return new PullRequestEvent(
            action,
            parsedNumber,
            headRef,
            headSha);
    }
}
