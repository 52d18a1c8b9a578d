namespace DeployRunner.GitHub;

/// <summary>
/// Sends <c>X-GitHub-Api-Version</c>, the REST API version this code was written against, unless
/// the caller chose one: GitHub answers a request without it with its oldest version.
/// </summary>
internal sealed class ApiVersionHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>https://docs.github.com/en/rest/about-the-rest-api/api-versions</summary>
    public const string ApiVersion = "2022-11-28";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains("X-GitHub-Api-Version")) request.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", ApiVersion);
        return base.SendAsync(request, cancellationToken);
    }
}
