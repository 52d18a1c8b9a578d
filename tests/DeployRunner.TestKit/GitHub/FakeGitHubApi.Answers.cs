using System.Text;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>How an answer goes wrong, for the API failure matrix.</summary>
public enum AnswerFault
{
    /// <summary>The connection drops before the answer (a status POST is recorded first: GitHub did the work).</summary>
    LostAnswer,

    /// <summary>500 with <c>Retry-After: 0</c>, so the runner's retries run out quickly; nothing recorded.</summary>
    ServerError,

    /// <summary>A 2xx whose body is not JSON (<c>{not json</c>).</summary>
    MalformedJson,

    /// <summary>A 2xx whose body never ends (a JSON array streamed without a length, far past any bound).</summary>
    Oversize,

    /// <summary>A 2xx of valid JSON of another shape: an object for a list, a list for an object, items without their fields.</summary>
    WrongShape,

    /// <summary>A 2xx with an empty body.</summary>
    EmptyBody,

    /// <summary>A 2xx with an HTML page (a proxy's).</summary>
    WrongContentType,

    /// <summary>A 2xx that declares 4,096 bytes, sends a few, and drops the connection.</summary>
    Truncated,
}

/// <summary>Malformed, lost and oversize answers to any request, and matchers for every call the runner makes.</summary>
public sealed partial class FakeGitHubApi
{
    /// <summary>How many bytes an <see cref="AnswerFault.Oversize"/> answer sends at most (the client is expected to stop far earlier).</summary>
    public const long OversizeBytes = 256L * 1024 * 1024;

    /// <summary><c>GET .../deployments</c> whose query contains <paramref name="query"/> (as sent, URL-encoded).</summary>
    public static Func<RecordedRequest, bool> DeploymentList(string? query = null) => request =>
        request.Method == "GET" && request.Path.EndsWith("/deployments", StringComparison.Ordinal)
        && (query is null || request.Query.Contains(query, StringComparison.Ordinal));

    /// <summary><c>GET .../deployments/{id}</c>.</summary>
    public static Func<RecordedRequest, bool> DeploymentGet(long deploymentId) => request =>
        request.Method == "GET" && request.Path.EndsWith($"/deployments/{deploymentId}", StringComparison.Ordinal);

    /// <summary><c>GET .../deployments/{id}/statuses</c>.</summary>
    public static Func<RecordedRequest, bool> StatusList(long? deploymentId = null) => request =>
        request.Method == "GET" && request.Path.EndsWith("/statuses", StringComparison.Ordinal)
        && (deploymentId is null || request.Path.Contains($"/deployments/{deploymentId}/", StringComparison.Ordinal));

    /// <summary><c>GET .../pulls/{n}/commits</c>.</summary>
    public static Func<RecordedRequest, bool> PullRequestCommits(long? number = null) => request =>
        request.Method == "GET" && request.Path.EndsWith("/commits", StringComparison.Ordinal)
        && request.Path.Contains(number is null ? "/pulls/" : $"/pulls/{number}/", StringComparison.Ordinal);

    /// <summary>The next <paramref name="times"/> requests matching get this broken answer.</summary>
    public void BreakAnswers(Func<RecordedRequest, bool> matches, AnswerFault fault, int times = 1) =>
        AddFault(matches, times, (context, request) => BrokenAnswerAsync(context, request, fault));

    private async Task BrokenAnswerAsync(HttpContext context, RecordedRequest request, AnswerFault fault)
    {
        var isPost = request.Method == "POST";
        var isList = !isPost && (request.Path.EndsWith("/deployments", StringComparison.Ordinal) || request.Path.EndsWith("/statuses", StringComparison.Ordinal) || request.Path.EndsWith("/commits", StringComparison.Ordinal));
        if (isPost && fault is not AnswerFault.ServerError) Record(request);
        context.Response.StatusCode = isPost ? 201 : 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        switch (fault)
        {
            case AnswerFault.LostAnswer:
                context.Abort();
                return;
            case AnswerFault.ServerError:
                context.Response.StatusCode = 500;
                context.Response.Headers.RetryAfter = "0";
                await context.Response.WriteAsync("{\"message\":\"Server Error\"}");
                return;
            case AnswerFault.MalformedJson:
                await context.Response.WriteAsync("{not json");
                return;
            case AnswerFault.WrongShape:
                await context.Response.WriteAsync(isList ? "[{\"unexpected\":true}]" : "[\"not\",\"an\",\"object\"]");
                return;
            case AnswerFault.EmptyBody:
                return;
            case AnswerFault.WrongContentType:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>");
                return;
            case AnswerFault.Truncated:
                context.Response.ContentLength = 4096;
                await context.Response.WriteAsync("[{\"id\":");
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            case AnswerFault.Oversize:
                await StreamOversizeAsync(context);
                return;
        }
    }

    private async Task StreamOversizeAsync(HttpContext context)
    {
        // One long string item: valid JSON as far as it goes, and it never ends within any bound.
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        try
        {
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("[\""), context.RequestAborted);
            for (long sent = 0; sent < OversizeBytes; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }

            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("\"]"), context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading: what a bounded client does.
        }
    }
}
