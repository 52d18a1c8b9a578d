using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Creating;

/// <summary>
/// The mark a created deployment carries in its payload: which workflow run created it, and
/// therefore runs it. With a token other than GITHUB_TOKEN (a PAT, an App token) GitHub also
/// sends the created deployment to <c>on: deployment</c> workflows
/// (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#using-the-github_token-in-a-workflow):
/// a runner there sees the mark of another run and stands down, so one deployment never runs twice.
/// </summary>
internal static class RunnerMark
{
    public const string PayloadKey = "deliverybot_runner";

    /// <param name="actor">Who triggered the run (GITHUB_ACTOR, or the event's sender): the deployment's owner for environment locks.</param>
    public static JsonObject Create(string? runId, string? runAttempt, string? actor = null)
    {
        var mark = new JsonObject
        {
            ["run_id"] = runId ?? "local",
            ["run_attempt"] = runAttempt ?? "1",
        };
        if (actor is not null) mark["actor"] = actor;
        return mark;
    }

    /// <summary>The run that created the deployment, when a runner did.</summary>
    public static string? CreatorRun(Deployment deployment) =>
        deployment.Payload.Object?[PayloadKey] is JsonObject mark ? DeploymentEventReader.Text(mark["run_id"]) : null;

    /// <summary>Who triggered the run that created the deployment, as its mark says.</summary>
    public static string? Actor(Deployment deployment) =>
        deployment.Payload.Object?[PayloadKey] is JsonObject mark ? DeploymentEventReader.Text(mark["actor"]) : null;

    /// <summary>True when another run created this deployment and runs it itself.</summary>
    public static bool OwnedByAnotherRun(Deployment deployment, string? ownRunId) =>
        CreatorRun(deployment) is { } creator && !string.Equals(creator, ownRunId, StringComparison.Ordinal);

    /// <summary>
    /// The pull request a runner created this deployment for: its payload's <c>pr</c>, beside the
    /// runner's mark. A created review app's ref is a bare SHA, which stacked pull requests and
    /// forks share, so the number is what says whose it is. Null for any other deployment.
    /// </summary>
    public static int? CreatedForPullRequest(Deployment deployment) =>
        CreatorRun(deployment) is not null
        && int.TryParse(deployment.Payload.GetScalar("pr"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
