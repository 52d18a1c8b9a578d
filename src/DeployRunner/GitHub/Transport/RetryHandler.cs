using System.Globalization;
using System.Net;
using System.Text.Json;

namespace DeployRunner.GitHub;

/// <summary>
/// Tries a GitHub API call again when its answer is lost (no answer in time, a connection or body
/// cut off) or says "later": 5xx is transient; a rate limit (429, or a 403 that says so) waits for
/// <c>Retry-After</c>, or for <c>x-ratelimit-reset</c> when <c>x-ratelimit-remaining</c> is 0, or
/// otherwise at least a minute, doubling each time. The waits are bounded in number and in total
/// (<see cref="RetryPolicy.MaxAttempts"/>, <see cref="RetryPolicy.MaxTotalWait"/>) and by the
/// caller's cancellation, so a status is never held back forever. An answer too large is final.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    private readonly RetryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly Action<string>? _onRetry;

    public RetryHandler(RetryPolicy policy, TimeProvider time, Action<string>? onRetry, HttpMessageHandler inner)
        : base(inner)
    {
        _policy = policy;
        _time = time;
        _onRetry = onRetry;
    }

    /// <summary>Without an inner handler: for <see cref="RetryDelay"/> alone (tests).</summary>
    internal RetryHandler(RetryPolicy policy, TimeProvider time)
    {
        _policy = policy;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await RequestCopy.BodyOfAsync(request, cancellationToken);
        var waited = TimeSpan.Zero;
        var rateLimited = 0;
        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = RequestCopy.Of(request, request.Method, request.RequestUri!, body);
            TimeSpan wait;
            string why;
            try
            {
                var response = await base.SendAsync(attemptRequest, cancellationToken);
                var saysRateLimit = await SaysRateLimitAsync(response, cancellationToken);
                if (saysRateLimit || response.StatusCode == HttpStatusCode.TooManyRequests) rateLimited++;
                if (RetryDelay(response, attempt, rateLimited, saysRateLimit) is not { } delay || !TryWait(ref waited, delay, attempt)) return response;
                (wait, why) = (delay, $"GitHub answered HTTP {(int)response.StatusCode}{(rateLimited > 0 ? " (rate limit)" : "")}");
                response.Dispose();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or IOException)
            {
                wait = Backoff(attempt);
                var reason = e is OperationCanceledException ? $"no answer within {_policy.PerAttemptTimeout.TotalSeconds:0} s" : e.Message;
                if (!TryWait(ref waited, wait, attempt))
                    throw new HttpRequestException($"GitHub API call failed after {attempt} attempt(s): {reason}", e);
                why = $"GitHub API call failed ({reason})";
            }

            _onRetry?.Invoke($"{why}; retrying in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {_policy.MaxAttempts}).");
            await Task.Delay(wait, _time, cancellationToken);
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

    /// <summary>Whether a 403's body names a rate limit (the body is already read, by <see cref="BoundedAttemptHandler"/>).</summary>
    private static async Task<bool> SaysRateLimitAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Forbidden) return false;
        try
        {
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
}
