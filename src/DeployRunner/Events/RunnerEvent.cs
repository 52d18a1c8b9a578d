using System.Globalization;
using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// What the workflow asked for, decided once at the edge: one of a few closed kinds, so the top
/// level is a switch and nothing below asks the event again.
/// </summary>
internal abstract record RunnerEvent
{
    private RunnerEvent()
    {
    }

    /// <summary>A <c>deployment</c> event: run the deployment it carries.</summary>
    public sealed record DeploymentRequested(Deployment Deployment) : RunnerEvent;

    /// <summary>Input <c>deployment-id</c>, from any event: run that deployment, read from the API.</summary>
    public sealed record ExplicitDeployment(long Id) : RunnerEvent;

    /// <summary>A closed pull request: its transient environments go.</summary>
    public sealed record PullRequestClosed(PullRequestEvent PullRequest) : RunnerEvent;

    /// <summary>
    /// An explicit id wins over the event; then a <c>deployment</c> object; then a closed pull
    /// request. Anything else is a configuration error that says which event it was.
    /// </summary>
    public static RunnerEvent Read(JsonObject root, string source, string? eventName, long? deploymentId)
    {
        if (deploymentId is { } id) return new ExplicitDeployment(id);
        if (root["deployment"] is null && PullRequestEvent.TryRead(root, eventName, source) is { } pullRequest)
            return new PullRequestClosed(pullRequest);
        return new DeploymentRequested(DeploymentEventReader.FromRoot(root, source, eventName).Deployment);
    }

    /// <summary>Input <c>deployment-id</c>: a deployment's numeric id, or null when not given.</summary>
    public static long? ParseDeploymentId(string? text) => text is null
        ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new ConfigurationException($"Input `deployment-id` must be a deployment's numeric id, not '{text}'.", setting: "deployment-id");

    /// <summary>
    /// The repository the work is for, resolved once: the event's, else <c>GITHUB_REPOSITORY</c>,
    /// else a placeholder for a local run against a hand-written event.
    /// </summary>
    public static string RepositoryOf(JsonObject root, string? environmentRepository) =>
        DeploymentEventReader.Text(DeploymentEventReader.Field(root["repository"], "full_name")) is { Length: > 0 } repository
            ? repository
            : environmentRepository ?? "local/repository";
}
