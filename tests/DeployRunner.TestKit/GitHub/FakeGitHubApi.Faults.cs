using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>
/// Faults GitHub's API (or the network in front of it) really produces, for the fault-injection
/// matrix: answers lost after the work was done, requests that hang, redirects, and each kind of
/// rate limit. A fault applies to the requests its predicate matches, a given number of times.
/// </summary>
public sealed partial class FakeGitHubApi
{
    private readonly List<Fault> _faults = [];

    private sealed class Fault(Func<RecordedRequest, bool> matches, int times, Func<HttpContext, RecordedRequest, Task> answer)
    {
        public int Left { get; set; } = times;

        public Func<RecordedRequest, bool> Matches { get; } = matches;

        public Func<HttpContext, RecordedRequest, Task> Answer { get; } = answer;
    }

    /// <summary>Matches a status POST of the given state (<c>in_progress</c>, <c>success</c>...).</summary>
    public static Func<RecordedRequest, bool> StatusPost(string state, long? deploymentId = null) => request =>
        request.Method == "POST" && request.Path.EndsWith("/statuses", StringComparison.Ordinal)
        && (deploymentId is null || request.Path.Contains($"/deployments/{deploymentId}/", StringComparison.Ordinal))
        && request.Json?["state"]?.GetValue<string>() == state;

    /// <summary>GitHub records the status, then the connection drops before the answer arrives.</summary>
    public void LoseAnswers(Func<RecordedRequest, bool> matches, int times = 1) =>
        AddFault(matches, times, (context, request) =>
        {
            Record(request);
            context.Abort();
            return Task.CompletedTask;
        });

    /// <summary>GitHub records the status and never answers (until the client gives up).</summary>
    public void HangAfterRecording(Func<RecordedRequest, bool> matches, int times = 1) =>
        AddFault(matches, times, async (context, request) =>
        {
            Record(request);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client went away.
            }
        });

    /// <summary>Answers with a redirect to <paramref name="location"/>(request path and query).</summary>
    public void Redirect(Func<RecordedRequest, bool> matches, int statusCode, Func<RecordedRequest, string> location, int times = 1) =>
        AddFault(matches, times, (context, request) =>
        {
            context.Response.StatusCode = statusCode;
            context.Response.Headers.Location = location(request);
            return Task.CompletedTask;
        });

    /// <summary>A rate-limit answer: 403 or 429, with the headers and message GitHub sends for that kind.</summary>
    public void RateLimit(Func<RecordedRequest, bool> matches, int statusCode, IReadOnlyDictionary<string, string> headers, string message, int times = 1) =>
        AddFault(matches, times, async (context, _) =>
        {
            context.Response.StatusCode = statusCode;
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api" }.ToJsonString());
        });

    /// <summary>Answers with a server error, without recording anything.</summary>
    public void ServerError(Func<RecordedRequest, bool> matches, int statusCode = 500, int times = 1) =>
        AddFault(matches, times, async (context, _) =>
        {
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync("{\"message\":\"Server Error\"}");
        });

    private void AddFault(Func<RecordedRequest, bool> matches, int times, Func<HttpContext, RecordedRequest, Task> answer)
    {
        lock (_gate) _faults.Add(new Fault(matches, times, answer));
    }

    private void Record(RecordedRequest request)
    {
        if (RecordConversation(request)) return;
        // Only a status is kept as recorded; another call (a lock check) just loses its answer.
        if (!(request.Method == "POST" && request.Path.EndsWith("/statuses", StringComparison.Ordinal))) return;
        var deploymentId = long.Parse(request.Path.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate) _statuses.Add(new PostedStatus(deploymentId, request.Json!, DateTimeOffset.UtcNow));
    }

    private async Task<bool> InjectFaultAsync(HttpContext context, RecordedRequest request)
    {
        Fault? fault;
        lock (_gate)
        {
            fault = _faults.FirstOrDefault(f => f.Left > 0 && f.Matches(request));
            if (fault is not null) fault.Left--;
        }

        if (fault is null) return false;
        await fault.Answer(context, request);
        return true;
    }
}
