using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>A reply comment the fake accepted.</summary>
public sealed record PostedComment(long IssueNumber, string Body);

/// <summary>
/// What comment commands ask, as GitHub answers it: reactions and comments
/// (https://docs.github.com/en/rest/reactions/reactions, .../issues/comments), a collaborator's
/// permission, a pull request, a commit's combined status
/// and check runs. A login the test did not describe has read permission (any signed-in user on
/// a public repository); a pull request or commit it did not describe is a 404. Files are served by the git data part of the fake (<c>FakeGitHubApi.Git.cs</c>).
/// </summary>
public sealed partial class FakeGitHubApi
{
    private readonly List<PostedComment> _comments = [];
    private readonly List<(long CommentId, string Content)> _reactions = [];
    private readonly Dictionary<string, (string Permission, string RoleName)> _permissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, JsonObject> _pullRequests = [];
    private readonly Dictionary<long, string> _headMoves = [];
    private readonly Dictionary<string, Dictionary<string, byte[]>> _branchFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string Context, string State)>> _commitStatuses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<(string Name, string Status, string? Conclusion)>> _checkRuns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The reply comments, in order.</summary>
    public IReadOnlyList<PostedComment> Comments
    {
        get { lock (_gate) return _comments.ToList(); }
    }

    /// <summary>The reactions added, in order.</summary>
    public IReadOnlyList<(long CommentId, string Content)> Reactions
    {
        get { lock (_gate) return _reactions.ToList(); }
    }

    /// <summary>Requests that write anything (POST, PUT, PATCH, DELETE).</summary>
    public IReadOnlyList<RecordedRequest> Writes => Requests.Where(r => r.Method is not ("GET" or "HEAD")).ToList();

    /// <summary>A user's permission: <paramref name="permission"/> as GitHub's <c>permission</c> (admin, write, read, none), <paramref name="roleName"/> as <c>role_name</c>.</summary>
    public void SetPermission(string login, string permission, string? roleName = null)
    {
        lock (_gate) _permissions[login] = (permission, roleName ?? permission);
    }

    /// <summary>A pull request as <c>GET pulls/{n}</c> answers it; <paramref name="headRepository"/> null is a deleted fork.</summary>
    public void AddPullRequest(long number, string headRef, string headSha, string? headRepository, string baseRepository = "Codertocat/Hello-World")
    {
        lock (_gate)
        {
            _pullRequests[number] = new JsonObject
            {
                ["number"] = number,
                ["state"] = "open",
                ["user"] = new JsonObject { ["login"] = "Codertocat" },
                ["head"] = new JsonObject
                {
                    ["ref"] = headRef,
                    ["sha"] = headSha,
                    ["repo"] = headRepository is null ? null : new JsonObject { ["full_name"] = headRepository },
                },
                ["base"] = new JsonObject { ["ref"] = "master", ["repo"] = new JsonObject { ["full_name"] = baseRepository } },
            };
        }
    }

    /// <summary>A push right after the runner reads the pull request: the next answers name this head.</summary>
    public void MovePullRequestHeadAfterRead(long number, string headSha)
    {
        lock (_gate) _headMoves[number] = headSha;
    }

    /// <summary>
    /// A file on a branch, as <c>GET contents/{path}?ref=</c> serves it: the branch is planted in
    /// the git data model with every file added to it so far.
    /// </summary>
    public void AddFile(string path, string branch, string text)
    {
        Dictionary<string, byte[]> files;
        lock (_gate)
        {
            if (!_branchFiles.TryGetValue(branch, out var kept)) _branchFiles[branch] = kept = new(StringComparer.Ordinal);
            kept[path] = Encoding.UTF8.GetBytes(text);
            files = new Dictionary<string, byte[]>(kept, StringComparer.Ordinal);
        }

        PlantBranch(branch, files);
    }

    /// <summary>A commit status of <paramref name="sha"/> (success, failure, error, pending).</summary>
    public void AddCommitStatus(string sha, string context, string state)
    {
        lock (_gate)
        {
            if (!_commitStatuses.TryGetValue(sha, out var list)) _commitStatuses[sha] = list = [];
            list.Add((context, state));
        }
    }

    /// <summary>A check run of <paramref name="sha"/>: <paramref name="status"/> queued, in_progress or completed (then with a conclusion).</summary>
    public void AddCheckRun(string sha, string name, string status, string? conclusion = null)
    {
        lock (_gate)
        {
            if (!_checkRuns.TryGetValue(sha, out var list)) _checkRuns[sha] = list = [];
            list.Add((name, status, conclusion));
        }
    }

    /// <summary>A reaction or a reply whose answer a fault loses: GitHub did the work; false for any other request.</summary>
    private bool RecordConversation(RecordedRequest request)
    {
        if (request.Method != "POST") return !request.Path.EndsWith("/statuses", StringComparison.Ordinal);
        var segments = request.Path.Trim('/').Split('/');
        lock (_gate)
        {
            if (segments is [.., "reactions"] && long.TryParse(segments[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var commentId))
                _reactions.Add((commentId, request.Json?["content"]?.GetValue<string>() ?? ""));
            else if (segments is [.., "issues", var number, "comments"] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var issue))
                _comments.Add(new PostedComment(issue, request.Json?["body"]?.GetValue<string>() ?? ""));
            else
                return false;
        }

        return true;
    }

    private async Task<bool> HandleConversationAsync(HttpContext context, string[] segments, RecordedRequest request)
    {
        var method = context.Request.Method;
        switch (segments[3])
        {
            // issues/comments/{id}/reactions
            case "issues" when method == "POST" && segments.Length == 7 && segments[4] == "comments" && segments[6] == "reactions"
                                && long.TryParse(segments[5], NumberStyles.None, CultureInfo.InvariantCulture, out var commentId):
                var content = request.Json?["content"]?.GetValue<string>();
                if (content is null)
                {
                    await JsonAsync(context, 422, new JsonObject { ["message"] = "content is missing" });
                    return true;
                }

                lock (_gate) _reactions.Add((commentId, content));
                await JsonAsync(context, 201, new JsonObject { ["id"] = 1, ["content"] = content });
                return true;
            // issues/{n}/comments
            case "issues" when method == "POST" && segments.Length == 6 && segments[5] == "comments"
                                && long.TryParse(segments[4], NumberStyles.None, CultureInfo.InvariantCulture, out var issue):
                var body = request.Json?["body"]?.GetValue<string>();
                if (body is null)
                {
                    await JsonAsync(context, 422, new JsonObject { ["message"] = "body is missing" });
                    return true;
                }

                lock (_gate) _comments.Add(new PostedComment(issue, body));
                await JsonAsync(context, 201, new JsonObject { ["id"] = 77, ["body"] = body });
                return true;
            case "collaborators" when method == "GET" && segments.Length == 6 && segments[5] == "permission":
                var login = Uri.UnescapeDataString(segments[4]);
                (string Permission, string RoleName) permission;
                lock (_gate) permission = _permissions.GetValueOrDefault(login, ("read", "read"));
                await JsonAsync(context, 200, new JsonObject { ["permission"] = permission.Permission, ["role_name"] = permission.RoleName, ["user"] = new JsonObject { ["login"] = login } });
                return true;
            case "pulls" when method == "GET" && segments.Length == 5 && long.TryParse(segments[4], NumberStyles.None, CultureInfo.InvariantCulture, out var number):
                JsonNode? pull;
                lock (_gate)
                {
                    pull = _pullRequests.GetValueOrDefault(number)?.DeepClone();
                    if (pull is not null && _headMoves.Remove(number, out var moved)) _pullRequests[number]["head"]!["sha"] = moved;
                }

                await (pull is null ? JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" }) : JsonAsync(context, 200, pull));
                return true;
            case "commits" when method == "GET" && segments.Length == 6 && segments[5] == "status":
                List<JsonNode> statuses;
                lock (_gate) statuses = [.. _commitStatuses.GetValueOrDefault(segments[4], []).Select(s => (JsonNode)new JsonObject { ["context"] = s.Context, ["state"] = s.State })];
                await JsonAsync(context, 200, new JsonObject { ["state"] = statuses.Count == 0 ? "pending" : "mixed", ["sha"] = segments[4], ["total_count"] = statuses.Count, ["statuses"] = new JsonArray([.. statuses]) });
                return true;
            case "commits" when method == "GET" && segments.Length == 6 && segments[5] == "check-runs":
                List<JsonNode> runs;
                lock (_gate) runs = [.. _checkRuns.GetValueOrDefault(segments[4], []).Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["status"] = r.Status, ["conclusion"] = r.Conclusion })];
                await JsonAsync(context, 200, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = new JsonArray([.. runs]) });
                return true;
            default:
                return false;
        }
    }
}
