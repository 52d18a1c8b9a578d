using System.Globalization;
using System.Net;

namespace DeployRunner.Status;

/// <summary>How hard to try one GitHub API call.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan PerAttemptTimeout, TimeSpan MaxTotalWait, TimeSpan FirstBackoff)
{
    public static readonly RetryPolicy Default = new(5, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
}

/// <summary>
/// Octokit has no retries. GitHub's guidance: 5xx is transient; 429 and secondary rate limits
/// (403 or 429) carry <c>Retry-After</c>; with <c>x-ratelimit-remaining: 0</c> wait for
/// <c>x-ratelimit-reset</c>. Waits are bounded in total so a status is never held back forever,
/// and each attempt is bounded in time.
/// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
/// </summary>
public sealed class RetryingHttpHandler(RetryPolicy policy, TimeProvider time, Action<string>? onRetry = null)
    : DelegatingHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = Clone(request, body);
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(policy.PerAttemptTimeout);

            HttpResponseMessage? response = null;
            string reason;
            try
            {
                response = await base.SendAsync(attemptRequest, attemptTimeout.Token);
                var wait = RetryDelay(response, attempt);
                if (wait is null) return response;
                reason = $"HTTP {(int)response.StatusCode}";
                if (!TryWait(ref waited, wait.Value, attempt)) return response;
                response.Dispose();
                onRetry?.Invoke($"GitHub answered {reason}; retrying in {wait.Value.TotalSeconds:0.#} s (attempt {attempt + 1} of {policy.MaxAttempts}).");
                await Task.Delay(wait.Value, time, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
            {
                response?.Dispose();
                var wait = Backoff(attempt);
                reason = e is OperationCanceledException ? $"no answer within {policy.PerAttemptTimeout.TotalSeconds:0} s" : e.Message;
                if (!TryWait(ref waited, wait, attempt))
                    throw new HttpRequestException($"GitHub API call failed after {attempt} attempt(s): {reason}", e);
                onRetry?.Invoke($"GitHub API call failed ({reason}); retrying in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {policy.MaxAttempts}).");
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    private bool TryWait(ref TimeSpan waited, TimeSpan wait, int attempt)
    {
        if (attempt >= policy.MaxAttempts || waited + wait > policy.MaxTotalWait) return false;
        waited += wait;
        return true;
    }

    /// <summary>How long to wait before trying again, or null when the answer is final.</summary>
    internal TimeSpan? RetryDelay(HttpResponseMessage response, int attempt)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response);
        if (status is >= 500 and <= 599) return retryAfter ?? Backoff(attempt);
        if (status == 429) return retryAfter ?? RateLimitReset(response) ?? Backoff(attempt);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            // A 403 is a secondary rate limit only when the headers say so; otherwise it is a
            // missing permission, and retrying would only delay the error.
            if (retryAfter is not null) return retryAfter;
            if (Header(response, "x-ratelimit-remaining") == "0") return RateLimitReset(response) ?? Backoff(attempt);
        }

        return null;
    }

    private TimeSpan Backoff(int attempt) => policy.FirstBackoff * Math.Pow(2, attempt - 1);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var delay = date - time.GetUtcNow();
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }

        return null;
    }

    private TimeSpan? RateLimitReset(HttpResponseMessage response)
    {
        if (!long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)) return null;
        var delay = DateTimeOffset.FromUnixTimeSeconds(epoch) - time.GetUtcNow();
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay + TimeSpan.FromSeconds(1);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
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
}
