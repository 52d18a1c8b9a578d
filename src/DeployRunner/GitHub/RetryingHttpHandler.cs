using System.Globalization;
using System.Net;
using System.Text.Json;

namespace DeployRunner.GitHub;

/// <summary>
/// What Octokit leaves to the transport, done as GitHub's REST best practices ask
/// (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api):
/// <list type="bullet">
/// <item>retries: 5xx is transient; a rate limit (429, or a 403 that says so) waits for
/// <c>Retry-After</c>, or for <c>x-ratelimit-reset</c> when <c>x-ratelimit-remaining</c> is 0, or
/// otherwise at least a minute, doubling each time. Waits are bounded in total (and by the
/// caller's cancellation), so a status is never held back forever; each attempt is bounded in time;</item>
/// <item>redirects (301, 302, 307, 308; 303 becomes a GET) are followed here, not by the inner
/// handler, which would drop <c>Authorization</c> even on the same host: the token goes along to
/// the same scheme and host, never to another;</item>
/// <item>the REST API version this code was written against, <c>X-GitHub-Api-Version: 2022-11-28</c>;</item>
/// <item>mutative requests (POST, PATCH, PUT, DELETE) at least a second apart;</item>
/// <item>every final answer's body read here, within the attempt's time bound and at most
/// <see cref="RetryPolicy.MaxAnswerBytes"/> (<see cref="GitHubAnswerTooLargeException"/> past
/// it, never retried); a body cut off mid-way is a lost answer and retried like one.</item>
/// </list>
/// </summary>
internal sealed class RetryingHttpHandler : DelegatingHandler
{
    /// <summary>https://docs.github.com/en/rest/about-the-rest-api/api-versions</summary>
    public const string ApiVersion = "2022-11-28";

    private readonly RetryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly Action<string>? _onRetry;
    private readonly SemaphoreSlim _mutations = new(1, 1);
    private long? _lastMutation;

    public RetryingHttpHandler(RetryPolicy policy, TimeProvider time, Action<string>? onRetry = null)
        : this(policy, time, new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), AllowAutoRedirect = false }, onRetry)
    {
    }

    /// <summary>Over another inner handler (tests); it must not follow redirects itself.</summary>
    internal RetryingHttpHandler(RetryPolicy policy, TimeProvider time, HttpMessageHandler inner, Action<string>? onRetry = null)
        : base(inner)
    {
        _policy = policy;
        _time = time;
        _onRetry = onRetry;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var waited = TimeSpan.Zero;
        var rateLimited = 0;
        var target = request.RequestUri!;
        var method = request.Method;
        var redirects = 0;
        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = Clone(request, method, target, method == HttpMethod.Get ? null : body);
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_policy.PerAttemptTimeout);

            HttpResponseMessage? response = null;
            try
            {
                response = await SendPacedAsync(attemptRequest, attemptTimeout.Token, cancellationToken);
                if (RedirectTarget(response, target) is { } location && redirects < _policy.MaxRedirects)
                {
                    redirects++;
                    if ((int)response.StatusCode == 303) method = HttpMethod.Get;
                    target = location;
                    response.Dispose();
                    attempt--; // a redirect is not a failed attempt
                    continue;
                }

                await ReadBoundedAsync(response, _policy.MaxAnswerBytes, attemptTimeout.Token);
                var saysRateLimit = await SaysRateLimitAsync(response, cancellationToken);
                if (saysRateLimit || (int)response.StatusCode == 429) rateLimited++;
                var wait = RetryDelay(response, attempt, rateLimited, saysRateLimit);
                if (wait is null) return response;
                if (!TryWait(ref waited, wait.Value, attempt)) return response;
                response.Dispose();
                _onRetry?.Invoke($"GitHub answered HTTP {(int)response.StatusCode}{(rateLimited > 0 ? " (rate limit)" : "")}; retrying in {wait.Value.TotalSeconds:0.#} s (attempt {attempt + 1} of {_policy.MaxAttempts}).");
                await Task.Delay(wait.Value, _time, cancellationToken);
            }
            catch (GitHubAnswerTooLargeException)
            {
                response?.Dispose();
                throw;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or IOException)
            {
                response?.Dispose();
                var wait = Backoff(attempt);
                var reason = e is OperationCanceledException ? $"no answer within {_policy.PerAttemptTimeout.TotalSeconds:0} s" : e.Message;
                if (!TryWait(ref waited, wait, attempt))
                    throw new HttpRequestException($"GitHub API call failed after {attempt} attempt(s): {reason}", e);
                _onRetry?.Invoke($"GitHub API call failed ({reason}); retrying in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {_policy.MaxAttempts}).");
                await Task.Delay(wait, _time, cancellationToken);
            }
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

    /// <summary>Sends, keeping mutative requests <see cref="RetryPolicy.MutationSpacing"/> apart (a teardown posts many statuses).</summary>
    private async Task<HttpResponseMessage> SendPacedAsync(HttpRequestMessage request, CancellationToken attemptToken, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head) return await base.SendAsync(request, attemptToken);
        // Serially, and the second counts from the previous answer, not from its sending: a slow
        // request (a new connection, a busy machine) must not shorten the pause GitHub sees.
        await _mutations.WaitAsync(cancellationToken);
        try
        {
            if (_lastMutation is { } last && _policy.MutationSpacing - _time.GetElapsedTime(last) is { Ticks: > 0 } pause)
                await Task.Delay(pause, _time, cancellationToken);
            try
            {
                return await base.SendAsync(request, attemptToken);
            }
            finally
            {
                _lastMutation = _time.GetTimestamp();
            }
        }
        finally
        {
            _mutations.Release();
        }
    }

    private bool TryWait(ref TimeSpan waited, TimeSpan wait, int attempt)
    {
        if (attempt >= _policy.MaxAttempts || waited + wait > _policy.MaxTotalWait) return false;
        waited += wait;
        return true;
    }

    /// <summary>
    /// How long to wait before trying again, or null when the answer is final.
    /// <paramref name="rateLimited"/> counts the rate-limit answers so far (for the doubling);
    /// <paramref name="saysRateLimit"/> is true when the body's message names a rate limit.
    /// </summary>
    internal TimeSpan? RetryDelay(HttpResponseMessage response, int attempt, int rateLimited = 1, bool saysRateLimit = false)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response);
        if (status is >= 500 and <= 599) return retryAfter ?? Backoff(attempt);
        // A 403 is a rate limit only when the answer says so; otherwise it is a missing
        // permission, and retrying would only delay the error.
        var primary = Header(response, "x-ratelimit-remaining") == "0";
        if (status == 429 || status == 403 && (retryAfter is not null || primary || saysRateLimit))
        {
            if (retryAfter is not null) return retryAfter;
            if (primary && RateLimitReset(response) is { } reset) return reset;
            return _policy.SecondaryRateLimitWait * Math.Pow(2, Math.Max(rateLimited, 1) - 1);
        }

        return null;
    }

    private static async Task<bool> SaysRateLimitAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Forbidden) return false;
        try
        {
            // Buffered, so Octokit can still read the body when this answer is final.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                && message.GetString()!.Contains("rate limit", StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Uri? RedirectTarget(HttpResponseMessage response, Uri current) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(current, location)
            : null;

    private TimeSpan Backoff(int attempt) => _policy.FirstBackoff * Math.Pow(2, attempt - 1);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var delay = date - _time.GetUtcNow();
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }

        return null;
    }

    private TimeSpan? RateLimitReset(HttpResponseMessage response)
    {
        if (!long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)) return null;
        var delay = DateTimeOffset.FromUnixTimeSeconds(Math.Min(epoch, 253402300799)) - _time.GetUtcNow();
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay + TimeSpan.FromSeconds(1);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>A fresh request per attempt; <c>Authorization</c> goes only to the scheme and host the caller chose.</summary>
    private static HttpRequestMessage Clone(HttpRequestMessage request, HttpMethod method, Uri target, byte[]? body)
    {
        var clone = new HttpRequestMessage(method, target) { Version = request.Version };
        var sameOrigin = Uri.Compare(target, request.RequestUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (var header in request.Headers)
        {
            if (!sameOrigin && header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue;
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (!clone.Headers.Contains("X-GitHub-Api-Version")) clone.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", ApiVersion);
        if (body is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
            ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        return clone;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _mutations.Dispose();
        base.Dispose(disposing);
    }
}
