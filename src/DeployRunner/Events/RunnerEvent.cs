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

    /// <summary>A pull request opened, synchronized or reopened: the runner creates its review apps' deployments.</summary>
    public sealed record PullRequestUpdated(PullRequestEvent PullRequest) : RunnerEvent;

    /// <summary>A push of a branch or tag: the runner creates the deployments of the targets it matches.</summary>
    public sealed record Pushed(PushEvent Push) : RunnerEvent;

    /// <summary>A <c>workflow_dispatch</c> (the "Deploy" button): the runner creates the deployment input <c>target</c> names.</summary>
    public sealed record Dispatched(WorkflowDispatchEvent Dispatch) : RunnerEvent;

    /// <summary>A comment on an issue or a pull request: a command such as <c>/deploy production</c>, or conversation.</summary>
    public sealed record Commented(IssueCommentEvent Comment) : RunnerEvent;

    /// <summary>
    /// An explicit id wins over the event; then the event's kind (GITHUB_EVENT_NAME, or for a
    /// local run the payload's shape): a <c>deployment</c>, a pull request, a push, a dispatch or a comment.
    /// Anything else is a configuration error that says which event it was.
    /// </summary>
    public static RunnerEvent Read(JsonObject root, string source, string? eventName, long? deploymentId)
    {
        if (deploymentId is { } id) return new ExplicitDeployment(id);
        var kind = eventName ?? Infer(root);
        switch (kind)
        {
            case "pull_request" or "pull_request_target" when root["deployment"] is null && PullRequestEvent.TryRead(root, kind, source) is { } pullRequest:
                return pullRequest.IsClosed ? new PullRequestClosed(pullRequest) : new PullRequestUpdated(pullRequest);
            case "push" when root["deployment"] is null:
                return new Pushed(PushEvent.Read(root, source));
            case "workflow_dispatch" when root["deployment"] is null:
                return new Dispatched(WorkflowDispatchEvent.Read(root, source));
            case "issue_comment" when root["deployment"] is null:
                return new Commented(IssueCommentEvent.Read(root, source));
            default:
                return new DeploymentRequested(DeploymentEventReader.FromRoot(root, source, eventName).Deployment);
        }
    }

    /// <summary>A local run's event without GITHUB_EVENT_NAME: its kind from the payload's shape.</summary>
    private static string? Infer(JsonObject root)
    {
        if (root["deployment"] is not null) return "deployment";
        if (root["pull_request"] is JsonObject) return "pull_request";
        if (root["comment"] is not null && root["issue"] is not null) return "issue_comment";
        if (root["pusher"] is not null && root["ref"] is not null && root["after"] is not null) return "push";
        if (root["workflow"] is not null && root["ref"] is not null && root.ContainsKey("inputs")) return "workflow_dispatch";
        return null;
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
