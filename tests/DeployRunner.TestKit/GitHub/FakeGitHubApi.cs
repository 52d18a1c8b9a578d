using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployRunner.TestKit;

/// <summary>A request the fake received, as it arrived on the wire.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At)
{
    public JsonObject? Json => Body.Length > 0 ? JsonNode.Parse(Body) as JsonObject : null;
}

/// <summary>A status the fake accepted.</summary>
public sealed record PostedStatus(long DeploymentId, JsonObject Body, DateTimeOffset At)
{
    public string State => Body["state"]!.GetValue<string>();

    public string? Description => Body["description"]?.GetValue<string>();
}

/// <summary>An answer to hand out instead of the normal one (to simulate GitHub's hiccups).</summary>
public sealed record ScriptedFailure(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body = "{\"message\":\"scripted failure\"}");

/// <summary>
/// A fake of GitHub's deployments REST API over real HTTP on loopback, so Octokit and our
/// retrying handler run for real. It records every request, keeps deployments and statuses,
/// pages lists with the Link header, and can answer with scripted failures.
/// Serves under an optional path prefix (<c>/api/v3</c>, as GitHub Enterprise Server does).
/// </summary>
public sealed partial class FakeGitHubApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _prefix;
    private readonly ConcurrentQueue<ScriptedFailure> _failures = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<PostedStatus> _statuses = [];
    private readonly List<JsonObject> _deployments = [];
    private readonly Lock _gate = new();
    private long _nextStatusId = 1000;

    private FakeGitHubApi(WebApplication app, string prefix)
    {
        _app = app;
        _prefix = prefix;
    }

    /// <summary>The API base as GITHUB_API_URL would give it (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, list pages link their next page on this host:port instead (a hostile or broken API).</summary>
    public string? NextLinkAuthority { get; set; }

    /// <summary>Delay before each answer (to simulate a slow API).</summary>
    public TimeSpan ResponseDelay { get; set; }

    public static async Task<FakeGitHubApi> StartAsync(string prefix = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeGitHubApi(app, prefix.TrimEnd('/'));
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.First();
        fake.BaseUrl = address.TrimEnd('/') + fake._prefix;
        return fake;
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public IReadOnlyList<PostedStatus> Statuses
    {
        get { lock (_gate) return _statuses.ToList(); }
    }

    public IReadOnlyList<string> States => Statuses.Select(s => s.State).ToList();

    /// <summary>The next <paramref name="count"/> requests get this answer instead.</summary>
    public void FailNext(int statusCode, int count = 1, IReadOnlyDictionary<string, string>? headers = null)
    {
        for (var i = 0; i < count; i++)
            _failures.Enqueue(new ScriptedFailure(statusCode, headers ?? new Dictionary<string, string>()));
    }

    /// <summary>Adds a deployment the list and get endpoints serve (the API's JSON shape).</summary>
    public void AddDeployment(JsonObject deployment)
    {
        lock (_gate) _deployments.Add(deployment);
    }

    /// <summary>Adds a status as if someone else had posted it (Deliverybot, an earlier run).</summary>
    public void AddStatus(long deploymentId, string state, string? description = null)
    {
        lock (_gate) _statuses.Add(new PostedStatus(deploymentId, new JsonObject { ["state"] = state, ["description"] = description }, DateTimeOffset.UtcNow));
    }

    /// <summary>The newest status of each deployment, as GitHub shows a deployment's state.</summary>
    public string? LatestState(long deploymentId) => Statuses.LastOrDefault(s => s.DeploymentId == deploymentId)?.State;

    /// <summary>Forgets the requests so far (to count those of one run).</summary>
    public void ClearRequests()
    {
        lock (_gate) _requests.Clear();
    }

    /// <summary>Waits until a status satisfying the predicate has been posted.</summary>
    public async Task<PostedStatus> WaitForStatusAsync(Func<PostedStatus, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var found = Statuses.FirstOrDefault(predicate);
            if (found is not null) return found;
            await Task.Delay(20);
        }

        throw new TimeoutException($"No matching status within {timeout.TotalSeconds} s; states so far: [{string.Join(", ", States)}].");
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            body,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            DateTimeOffset.UtcNow);
        lock (_gate) _requests.Add(request);

        if (ResponseDelay > TimeSpan.Zero) await Task.Delay(ResponseDelay);
        if (await InjectFaultAsync(context, request)) return;

        if (_failures.TryDequeue(out var failure))
        {
            context.Response.StatusCode = failure.StatusCode;
            foreach (var (name, value) in failure.Headers) context.Response.Headers[name] = value;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(failure.Body);
            return;
        }

        var path = request.Path;
        if (_prefix.Length > 0)
        {
            if (!path.StartsWith(_prefix + "/", StringComparison.Ordinal))
            {
                await JsonAsync(context, 404, new JsonObject { ["message"] = $"Not Found (expected the {_prefix} prefix)" });
                return;
            }

            path = path[_prefix.Length..];
        }

        if (await HandleGitDataAsync(context, request, path)) return;

        var segments = path.Trim('/').Split('/');
        // /repos/{owner}/{repo}/deployments[/{id}[/statuses]], /repos/{owner}/{repo}/pulls/{n}/commits
        if (segments.Length < 4 || segments[0] != "repos" || segments[3] is not ("deployments" or "pulls" or "commits" or "issues" or "collaborators" or "contents"))
        {
            await JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
            return;
        }

        if (context.Request.Headers.Authorization.ToString() is not { Length: > 0 } auth || !auth.StartsWith("token ", StringComparison.OrdinalIgnoreCase) && !auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await JsonAsync(context, 401, new JsonObject { ["message"] = "Requires authentication" });
            return;
        }

        if (await HandleConversationAsync(context, segments, request)) return;

        if (segments[3] == "pulls")
        {
            await HandlePullsAsync(context, segments);
            return;
        }

        if (segments[3] == "commits")
        {
            await HandleCommitsAsync(context, segments);
            return;
        }

        long? id = segments.Length >= 5 && long.TryParse(segments[4], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        switch (context.Request.Method, segments.Length, id)
        {
            case ("POST", 6, { } deploymentId) when segments[5] == "statuses":
                await PostStatusAsync(context, deploymentId, request);
                return;
            case ("GET", 6, { } deploymentId) when segments[5] == "statuses":
                await ListAsync(context, StatusesOf(deploymentId));
                return;
            case ("GET", 5, { } deploymentId):
                var deployment = DeploymentById(deploymentId);
                await (deployment is null
                    ? JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" })
                    : JsonAsync(context, 200, deployment));
                return;
            case ("POST", 4, null):
                await CreateDeploymentAsync(context, request, segments);
                return;
            case ("GET", 4, null):
                await ListAsync(context, FilterDeployments(context.Request.Query));
                return;
            default:
                await JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
                return;
        }
    }

    private async Task PostStatusAsync(HttpContext context, long deploymentId, RecordedRequest request)
    {
        if (request.Json is not { } json || json["state"] is null)
        {
            await JsonAsync(context, 422, new JsonObject { ["message"] = "Invalid request: state is missing" });
            return;
        }

        if (json["description"]?.GetValue<string>() is { Length: > 140 })
        {
            await JsonAsync(context, 422, new JsonObject { ["message"] = "Validation Failed: description is too long (maximum is 140 characters)" });
            return;
        }

        long statusId;
        lock (_gate)
        {
            statusId = ++_nextStatusId;
            _statuses.Add(new PostedStatus(deploymentId, (JsonObject)json.DeepClone(), DateTimeOffset.UtcNow));
        }

        json["id"] = statusId;
        await JsonAsync(context, 201, json);
    }

    private JsonObject? DeploymentById(long id)
    {
        lock (_gate) return _deployments.FirstOrDefault(d => d["id"]!.GetValue<long>() == id)?.DeepClone() as JsonObject;
    }

    private List<JsonNode> StatusesOf(long deploymentId)
    {
        lock (_gate)
        {
            // Newest first, as GitHub lists them.
            return _statuses.Where(s => s.DeploymentId == deploymentId).Reverse()
                .Select(s => (JsonNode)new JsonObject { ["id"] = 1, ["state"] = s.State, ["description"] = s.Description })
                .ToList();
        }
    }

    private List<JsonNode> FilterDeployments(IQueryCollection query)
    {
        lock (_gate)
        {
            // Newest first, as GitHub lists them.
            return _deployments.AsEnumerable().Reverse()
                .Where(d => Matches(d, query, "ref") && Matches(d, query, "sha") && Matches(d, query, "environment") && Matches(d, query, "task"))
                .Select(d => d.DeepClone())
                .ToList();
        }
    }

    private static bool Matches(JsonObject deployment, IQueryCollection query, string field) =>
        !query.TryGetValue(field, out var wanted) || string.IsNullOrEmpty(wanted) || deployment[field]?.GetValue<string>() == wanted.ToString();

    private async Task ListAsync(HttpContext context, List<JsonNode> items)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"], out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(query["page"], out var p) ? Math.Max(p, 1) : 1;
        var pageItems = items.Skip((page - 1) * perPage).Take(perPage).ToList();
        if (page * perPage < items.Count)
        {
            var others = string.Join('&', query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}"));
            var next = $"{context.Request.Scheme}://{NextLinkAuthority ?? context.Request.Host.ToString()}{context.Request.Path}?{others}{(others.Length > 0 ? "&" : "")}page={page + 1}";
            context.Response.Headers["Link"] = $"<{next}>; rel=\"next\"";
        }

        var array = new JsonArray(pageItems.ToArray());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(array.ToJsonString());
    }

    private static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
