using System.Globalization;

namespace DeployRunner.Health;

/// <summary>
/// Polls a URL until it answers 2xx or the deadline passes: at once, then every second, each
/// request bounded (as kamal-proxy does: one 2xx is enough, redirects followed). Works for any
/// handler; it needs only a URL.
/// </summary>
internal sealed class HealthProbe(HttpClient http, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>One client for the whole run: redirects followed, no cookies, no proxy from the job environment surprises.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = true, UseCookies = false, ConnectTimeout = RequestTimeout })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<HealthOutcome> WaitHealthyAsync(string url, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var last = "no answer";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attempt.CancelAfter(RequestTimeout);
                try
                {
                    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
                    var code = (int)response.StatusCode;
                    if (code is >= 200 and < 300) return new HealthOutcome(true, $"HTTP {code.ToString(CultureInfo.InvariantCulture)}", time.GetElapsedTime(started));
                    last = $"HTTP {code.ToString(CultureInfo.InvariantCulture)}";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = $"no answer within {RequestTimeout.TotalSeconds:0} s";
                }
                catch (HttpRequestException e)
                {
                    last = e.HttpRequestError == HttpRequestError.Unknown ? e.Message : e.HttpRequestError.ToString();
                }
            }

            var waited = time.GetElapsedTime(started);
            if (waited + Interval > deadline)
                return new HealthOutcome(false, $"{last} after {waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s", waited);
            await Task.Delay(Interval, time, cancellationToken);
        }
    }
}
