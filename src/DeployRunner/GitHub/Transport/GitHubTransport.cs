namespace DeployRunner.GitHub;

/// <summary>
/// What Octokit leaves to the transport, done as GitHub's REST best practices ask
/// (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api),
/// one concern per handler, outermost first:
/// <list type="number">
/// <item><see cref="ApiVersionHandler"/>: the REST API version this code was written against;</item>
/// <item><see cref="RetryHandler"/>: a lost answer, a 5xx or a rate limit is tried again, within a
/// total wait, so a status is never held back forever; each attempt a fresh copy of the request;</item>
/// <item><see cref="RedirectHandler"/>: redirects followed here, the token only to the origin the caller chose;</item>
/// <item><see cref="MutationPacingHandler"/>: mutative requests at least a second apart;</item>
/// <item><see cref="BoundedAttemptHandler"/>: one request on the wire, answered within the
/// attempt's time, its body read here and at most <see cref="RetryPolicy.MaxAnswerBytes"/>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Polly.Core (AOT-compatible) was weighed for the retry part and not taken: what decides a retry
/// here is GitHub's (a 403 is a rate limit only when its body or headers say so; the wait comes
/// from <c>Retry-After</c>, <c>x-ratelimit-reset</c> or a doubling minute), and the total-wait
/// budget that keeps a status from being held back spans attempts. With Polly these would be a
/// predicate, a delay generator and a budget of ours around its loop: the loop is the part Polly
/// would carry, and it is twenty lines.
/// </remarks>
internal static class GitHubTransport
{
    /// <summary>The handler chain over a socket handler that follows no redirects itself.</summary>
    public static HttpMessageHandler Create(RetryPolicy policy, TimeProvider time, Action<string>? onRetry = null) =>
        Create(policy, time, new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), AllowAutoRedirect = false }, onRetry);

    /// <summary>The handler chain over another inner handler (tests); it must not follow redirects itself.</summary>
    internal static HttpMessageHandler Create(RetryPolicy policy, TimeProvider time, HttpMessageHandler inner, Action<string>? onRetry = null) =>
        new ApiVersionHandler(
            new RetryHandler(policy, time, onRetry,
                new RedirectHandler(policy.MaxRedirects,
                    new MutationPacingHandler(policy.MutationSpacing, time,
                        new BoundedAttemptHandler(policy.PerAttemptTimeout, policy.MaxAnswerBytes, inner)))));
}
