using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Events;
using Octokit;

namespace DeployRunner.GitHub;

/// <summary>
/// The calls of comment commands (<see cref="IGitHubConversation"/>), each answer read strictly:
/// a shape that is not what GitHub documents is an API failure, so a command is refused rather
/// than run on a guess (a missing permission must never read as "admin").
/// </summary>
internal sealed partial class OctokitGitHubDeployments : IGitHubConversation
{
    public async Task AddReactionAsync(string repository, long commentId, string content, CancellationToken cancellationToken)
    {
        var what = $"add the '{content}' reaction to comment {commentId}";
        var answer = await CallAsync(what, () => _connection.Post<JsonElement>(
            RepositoryUri(repository, $"issues/comments/{commentId.ToString(CultureInfo.InvariantCulture)}/reactions"),
            new JsonObject { ["content"] = content }, Accept, "application/json", (IDictionary<string, string>?)null, cancellationToken));
        if (answer.Body.ValueKind != JsonValueKind.Object || !answer.Body.TryGetProperty("content", out _))
            throw Malformed(what, answer, "a reaction");
    }

    public async Task PostCommentAsync(string repository, long issueNumber, string body, CancellationToken cancellationToken)
    {
        var what = $"reply on #{issueNumber}";
        var answer = await CallAsync(what, () => _connection.Post<JsonElement>(
            RepositoryUri(repository, $"issues/{issueNumber.ToString(CultureInfo.InvariantCulture)}/comments"),
            new JsonObject { ["body"] = body }, Accept, "application/json", (IDictionary<string, string>?)null, cancellationToken));
        if (answer.Body.ValueKind != JsonValueKind.Object || !answer.Body.TryGetProperty("id", out _))
            throw Malformed(what, answer, "a comment");
    }

    public async Task<CollaboratorPermission> GetPermissionAsync(string repository, string login, CancellationToken cancellationToken)
    {
        var what = $"read the permission of {Clean(login)}";
        var answer = await CallAsync(what, () => _connection.Get<JsonElement>(
            RepositoryUri(repository, $"collaborators/{Uri.EscapeDataString(login)}/permission"), new Dictionary<string, string>(), Accept, cancellationToken));
        if (answer.Body.ValueKind != JsonValueKind.Object || StringProperty(answer.Body, "permission") is not { Length: > 0 } permission)
            throw Malformed(what, answer, "a permission");
        return new CollaboratorPermission(permission, StringProperty(answer.Body, "role_name"));
    }

    public async Task<PullRequestEvent> GetPullRequestAsync(string repository, long number, CancellationToken cancellationToken)
    {
        var what = $"read pull request #{number}";
        var answer = await CallAsync(what, () => _connection.Get<JsonElement>(
            RepositoryUri(repository, $"pulls/{number.ToString(CultureInfo.InvariantCulture)}"), new Dictionary<string, string>(), Accept, cancellationToken));
        if (answer.Body.ValueKind != JsonValueKind.Object || JsonObject.Create(answer.Body) is not { } pull)
            throw Malformed(what, answer, "a pull request");
        var head = pull["head"] as JsonObject;
        var headRef = DeploymentEventReader.Text(head?["ref"]);
        var headSha = DeploymentEventReader.Text(head?["sha"]);
        if (string.IsNullOrEmpty(headRef) || headSha is not { Length: 40 } sha || !sha.All(char.IsAsciiHexDigit))
            throw new GitHubApiException($"Could not {what}: GitHub answered without a head branch and commit SHA.");
        // A fork unless the head repository is known to be this one: a deleted fork has head.repo null.
        var headRepository = DeploymentEventReader.Text(DeploymentEventReader.Field(head?["repo"], "full_name"));
        var baseRepository = DeploymentEventReader.Text(DeploymentEventReader.Field(DeploymentEventReader.Field(pull["base"], "repo"), "full_name")) ?? repository;
        var fromFork = headRepository is null || !string.Equals(headRepository, baseRepository, StringComparison.OrdinalIgnoreCase);
        var state = DeploymentEventReader.Text(pull["state"]);
        return new PullRequestEvent(state, number, headRef, sha.ToLowerInvariant(), fromFork, DeploymentEventReader.Text(DeploymentEventReader.Field(pull["user"], "login")));
    }

    public async Task<string?> GetFileAsync(string repository, string path, string gitRef, int maxBytes, CancellationToken cancellationToken)
    {
        var what = $"read {path} at {gitRef}";
        IApiResponse<JsonElement> answer;
        try
        {
            answer = await CallAsync(what, () => _connection.Get<JsonElement>(
                RepositoryUri(repository, "contents/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString))),
                new Dictionary<string, string> { ["ref"] = gitRef }, Accept, cancellationToken));
        }
        catch (GitHubApiException e) when (e.InnerException is NotFoundException)
        {
            return null;
        }

        // A file is an object with type "file"; a folder is a list, a link or submodule another type.
        if (answer.Body.ValueKind != JsonValueKind.Object || StringProperty(answer.Body, "type") != "file")
            throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not a file (a folder, a link or another shape).");
        if (answer.Body.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) && bytes > maxBytes)
            throw new GitHubApiException($"Could not {what}: the file is {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the limit of {maxBytes.ToString("N0", CultureInfo.InvariantCulture)}.", mayHaveTakenEffect: false);
        if (StringProperty(answer.Body, "encoding") != "base64" || StringProperty(answer.Body, "content") is not { } content)
            throw new GitHubApiException($"Could not {what}: GitHub answered without base64 content (a file over 1 MB comes without it).");
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(content.Replace("\n", "", StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            throw new GitHubApiException($"Could not {what}: its content is not valid base64.");
        }

        if (decoded.Length > maxBytes)
            throw new GitHubApiException($"Could not {what}: the file is over the limit of {maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes.");
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(decoded);
        }
        catch (DecoderFallbackException)
        {
            throw new GitHubApiException($"Could not {what}: the file is not UTF-8 text.");
        }
    }

    public async Task<IReadOnlyList<CommitCheck>> ListChecksAsync(string repository, string sha, CancellationToken cancellationToken)
    {
        var perPage = new Dictionary<string, string> { ["per_page"] = IGitHubConversation.CheckLimit.ToString(CultureInfo.InvariantCulture) };
        var statusWhat = $"read the commit statuses of {sha}";
        var combined = await CallAsync(statusWhat, () => _connection.Get<JsonElement>(
            RepositoryUri(repository, $"commits/{sha}/status"), new Dictionary<string, string>(perPage), Accept, cancellationToken));
        if (combined.Body.ValueKind != JsonValueKind.Object || !combined.Body.TryGetProperty("statuses", out var statuses) || statuses.ValueKind != JsonValueKind.Array)
            throw Malformed(statusWhat, combined, "a combined status");
        var checks = new List<CommitCheck>();
        foreach (var status in statuses.EnumerateArray())
        {
            if (status.ValueKind != JsonValueKind.Object || StringProperty(status, "context") is not { } context || StringProperty(status, "state") is not { } state)
                throw new GitHubApiException($"Could not {statusWhat}: a status has no `context` or `state`.");
            checks.Add(new CommitCheck(context, state));
        }

        var runsWhat = $"read the check runs of {sha}";
        var runs = await CallAsync(runsWhat, () => _connection.Get<JsonElement>(
            RepositoryUri(repository, $"commits/{sha}/check-runs"), new Dictionary<string, string>(perPage), Accept, cancellationToken));
        if (runs.Body.ValueKind != JsonValueKind.Object || !runs.Body.TryGetProperty("check_runs", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Malformed(runsWhat, runs, "a list of check runs");
        foreach (var run in list.EnumerateArray())
        {
            if (run.ValueKind != JsonValueKind.Object || StringProperty(run, "name") is not { } name || StringProperty(run, "status") is not { } status)
                throw new GitHubApiException($"Could not {runsWhat}: a check run has no `name` or `status`.");
            checks.Add(new CommitCheck(name, status == "completed" ? StringProperty(run, "conclusion") ?? "unknown" : status));
        }

        return checks;
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
