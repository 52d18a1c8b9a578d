namespace DeployRunner.GitHub;

/// <summary>
/// Follows redirects (301, 302, 307, 308 keep the method and body; 303 becomes a GET), at most
/// <paramref name="maxRedirects"/> for one request, after which the redirect is the answer. Done
/// here, not by the socket handler, which drops <c>Authorization</c> even on the same host: the
/// token goes along to the same scheme and host, never to another.
/// </summary>
internal sealed class RedirectHandler(int maxRedirects, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Target(response, request.RequestUri!) is null) return response;

        var body = await RequestCopy.BodyOfAsync(request, cancellationToken);
        var (method, target) = (request.Method, request.RequestUri!);
        for (var redirects = 0; redirects < maxRedirects && Target(response, target) is { } location; redirects++)
        {
            if ((int)response.StatusCode == 303) method = HttpMethod.Get;
            target = location;
            response.Dispose();
            using var hop = RequestCopy.Of(request, method, target, method == HttpMethod.Get ? null : body);
            response = await base.SendAsync(hop, cancellationToken);
        }

        return response;
    }

    private static Uri? Target(HttpResponseMessage response, Uri current) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(current, location)
            : null;
}
