using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>
/// <c>POST /repos/{owner}/{repo}/deployments</c> as GitHub answers it
/// (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment): 201 with the
/// new deployment (kept, so the list and get endpoints serve it), or a scripted refusal (202
/// auto-merged, 409 merge conflict, 409 failed checks, 403, 404, 422) that creates nothing. And
/// <c>GET /repos/{owner}/{repo}/commits/{ref}</c> for the commits a test names.
/// </summary>
public sealed partial class FakeGitHubApi
{
    private readonly ConcurrentQueue<(int Status, JsonNode Body)> _createAnswers = new();
    private readonly Dictionary<string, string> _commits = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _creationRequests = [];
    private long _nextDeploymentId = 5000;

    /// <summary>The bodies of every POST /deployments, answered or refused, in order.</summary>
    public IReadOnlyList<JsonObject> CreationRequests
    {
        get { lock (_gate) return _creationRequests.Select(r => (JsonObject)r.DeepClone()).ToList(); }
    }

    /// <summary>The deployments the fake created (201), oldest first.</summary>
    public IReadOnlyList<JsonObject> CreatedDeployments
    {
        get { lock (_gate) return _deployments.Where(d => d["created_by_fake"] is not null).Select(d => (JsonObject)d.DeepClone()).ToList(); }
    }

    /// <summary>The next create request gets this answer instead of a 201 (and creates nothing), malformed or not.</summary>
    public void RefuseNextCreation(int status, JsonNode body) => _createAnswers.Enqueue((status, body));

    /// <summary>GitHub's answer to a required context that has not passed.</summary>
    public static JsonObject FailedChecks(string gitRef, params (string Context, string State)[] contexts) => new()
    {
        ["message"] = $"Conflict: Commit status checks failed for {gitRef}.",
        ["errors"] = new JsonArray(new JsonObject
        {
            ["contexts"] = new JsonArray(contexts.Select(c => (JsonNode)new JsonObject { ["context"] = c.Context, ["state"] = c.State }).ToArray()),
            ["resource"] = "Deployment",
            ["field"] = "required_contexts",
            ["code"] = "invalid",
        }),
        ["documentation_url"] = "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
    };

    /// <summary>A branch or tag that <c>GET commits/{ref}</c> resolves to this SHA.</summary>
    public void AddCommit(string gitRef, string sha)
    {
        lock (_gate) _commits[gitRef] = sha;
    }

    private async Task CreateDeploymentAsync(HttpContext context, RecordedRequest request, string[] segments)
    {
        if (request.Json is not { } json || json["ref"] is null)
        {
            await JsonAsync(context, 422, new JsonObject { ["message"] = "Invalid request: ref is missing" });
            return;
        }

        lock (_gate) _creationRequests.Add((JsonObject)json.DeepClone());
        if (_createAnswers.TryDequeue(out var answer))
        {
            await JsonAsync(context, answer.Status, answer.Body);
            return;
        }

        if (json["description"]?.GetValue<string>() is { Length: > 140 })
        {
            await JsonAsync(context, 422, new JsonObject { ["message"] = "Validation Failed: description is too long (maximum is 140 characters)" });
            return;
        }

        JsonObject deployment;
        lock (_gate)
        {
            var id = ++_nextDeploymentId;
            var sha = json["ref"]!.GetValue<string>();
            deployment = new JsonObject
            {
                ["url"] = $"{BaseUrl}/repos/{segments[1]}/{segments[2]}/deployments/{id}",
                ["id"] = id,
                ["sha"] = sha,
                ["ref"] = sha,
                ["task"] = json["task"]?.DeepClone() ?? "deploy",
                ["payload"] = json["payload"]?.DeepClone() ?? new JsonObject(),
                ["original_environment"] = json["environment"]?.DeepClone(),
                ["environment"] = json["environment"]?.DeepClone() ?? "production",
                ["description"] = json["description"]?.DeepClone(),
                ["creator"] = new JsonObject { ["login"] = "github-actions[bot]" },
                ["transient_environment"] = json["transient_environment"]?.DeepClone() ?? false,
                ["production_environment"] = json["production_environment"]?.DeepClone() ?? false,
                ["created_by_fake"] = true,
            };
            _deployments.Add(deployment);
        }

        var answerBody = (JsonObject)deployment.DeepClone();
        answerBody.Remove("created_by_fake");
        await JsonAsync(context, 201, answerBody);
    }

    private async Task HandleCommitsAsync(HttpContext context, string[] segments)
    {
        var gitRef = Uri.UnescapeDataString(string.Join('/', segments.Skip(4)));
        string? sha;
        lock (_gate) sha = _commits.GetValueOrDefault(gitRef);
        if (context.Request.Method != "GET" || sha is null)
            await JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
        else if (sha.Length == 0)
            await JsonAsync(context, 422, new JsonObject { ["message"] = $"No commit found for SHA: {gitRef}" });
        else
            await JsonAsync(context, 200, new JsonObject { ["sha"] = sha, ["commit"] = new JsonObject { ["message"] = "a commit" } });
    }
}
