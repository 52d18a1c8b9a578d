namespace DeployRunner.GitHub;

/// <summary>
/// A request is sent once: a retry or a redirect sends a copy. The body is read once, up front,
/// and replayed from its bytes.
/// </summary>
internal static class RequestCopy
{
    public static async Task<byte[]?> BodyOfAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);

    /// <summary>
    /// <paramref name="request"/> again, to <paramref name="target"/> with <paramref name="method"/>
    /// and <paramref name="body"/> (null for none). <c>Authorization</c> goes only to the scheme and
    /// host of the original request.
    /// </summary>
    public static HttpRequestMessage Of(HttpRequestMessage request, HttpMethod method, Uri target, byte[]? body)
    {
        var copy = new HttpRequestMessage(method, target) { Version = request.Version };
        var sameOrigin = Uri.Compare(target, request.RequestUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (var header in request.Headers)
        {
            if (!sameOrigin && header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue;
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body is not null && request.Content is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content.Headers)
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        return copy;
    }
}
