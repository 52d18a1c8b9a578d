using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>Answers a proxy, a truncating network or a broken GitHub can give: a success status with a body that is not what was asked for.</summary>
public sealed partial class FakeGitHubApi
{
    /// <summary>GitHub records the status, then the client gets <paramref name="statusCode"/> with <paramref name="body"/> (not the status object).</summary>
    public void Malformed(Func<RecordedRequest, bool> matches, int statusCode, string contentType, string body, int times = 1) =>
        AddFault(matches, times, async (context, request) =>
        {
            if (request.Method == "POST" && request.Path.EndsWith("/statuses", StringComparison.Ordinal)) Record(request);
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });
}
