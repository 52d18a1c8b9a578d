using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// The parts of an <c>issue_comment</c> webhook payload a comment command needs: what happened
/// to the comment, where (an issue or a pull request), who wrote it and what it says. The pull
/// request's head is not in the payload; it is read from the API when a command is run.
/// https://docs.github.com/en/webhooks/webhook-events-and-payloads#issue_comment
/// </summary>
/// <param name="OnPullRequest">True when <c>issue.pull_request</c> is present: a pull request is an issue with that object.</param>
/// <param name="ByBot">The author's <c>type</c> is <c>Bot</c>, or the login ends in <c>[bot]</c>.</param>
/// <param name="DefaultBranch">The repository's default branch (<c>repository.default_branch</c>), where deploy.yml is read.</param>
internal sealed record IssueCommentEvent(
    string? Action,
    long IssueNumber,
    bool OnPullRequest,
    long CommentId,
    string Body,
    string Author,
    bool ByBot,
    string? DefaultBranch)
{
    public bool IsCreated => string.Equals(Action, "created", StringComparison.Ordinal);

    public static IssueCommentEvent Read(JsonObject root, string source)
    {
        var issue = root["issue"] as JsonObject;
        var comment = root["comment"] as JsonObject;
        var user = DeploymentEventReader.Field(comment, "user");
        var login = DeploymentEventReader.Text(DeploymentEventReader.Field(user, "login"));
        if (issue is null || comment is null || Number(issue["number"]) is not { } number || Number(comment["id"]) is not { } id || string.IsNullOrEmpty(login))
            throw new ConfigurationException($"The issue_comment event in {source} has no issue.number, comment.id or comment.user.login: it is not a comment GitHub sent.");

        var type = DeploymentEventReader.Text(DeploymentEventReader.Field(user, "type"));
        return new IssueCommentEvent(
            DeploymentEventReader.Text(root["action"]),
            number,
            issue["pull_request"] is JsonObject,
            id,
            DeploymentEventReader.Text(comment["body"]) ?? "",
            login,
            string.Equals(type, "Bot", StringComparison.OrdinalIgnoreCase) || login.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase),
            DeploymentEventReader.Text(DeploymentEventReader.Field(root["repository"], "default_branch")));
    }

    private static long? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : null;
}
