namespace DeployRunner.GitHub;

/// <summary>
/// One request on the wire: answered within <paramref name="timeout"/> (past it, the request is
/// cancelled and the caller sees <see cref="OperationCanceledException"/> with its own token not
/// cancelled: a lost answer), and its body read here, whole, within the same time. A body past
/// <paramref name="maxAnswerBytes"/> is <see cref="GitHubAnswerTooLargeException"/>; a body cut off
/// mid-way is an <see cref="IOException"/> or <see cref="HttpRequestException"/>, a lost answer too.
/// </summary>
internal sealed class BoundedAttemptHandler(TimeSpan timeout, long maxAnswerBytes, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        var response = await base.SendAsync(request, attempt.Token);
        try
        {
            await ReadBoundedAsync(response, maxAnswerBytes, attempt.Token);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the answer's content with its bytes, read here so that no layer above (Octokit
    /// reads a body whole, as one string) can be made to hold more than <paramref name="limit"/>.
    /// A declared <c>Content-Length</c> past the limit is refused before reading; a body without
    /// one is read until it passes the limit.
    /// </summary>
    internal static async Task ReadBoundedAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        var original = response.Content;
        if (original.Headers.ContentLength is { } declared && declared > limit)
            throw new GitHubAnswerTooLargeException(limit, declared);

        using var body = new MemoryStream();
        await using (var stream = await original.ReadAsStreamAsync(cancellationToken))
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (body.Length + read > limit) throw new GitHubAnswerTooLargeException(limit, null);
                body.Write(chunk, 0, read);
            }
        }

        var content = new ByteArrayContent(body.ToArray());
        foreach (var header in original.Headers)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        original.Dispose();
    }
}
