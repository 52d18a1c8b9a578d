using System.Globalization;

namespace DeployRunner.Health;

/// <summary>
/// Polls a URL until it answers 2xx or the deadline passes: at once, then every second, each
/// request bounded (as kamal-proxy does: one 2xx is enough). Works for any handler; it needs
/// only a URL.
/// </summary>
/// <remarks>
/// Redirects are followed only within the URL's own origin (scheme, host and port), at most
/// <see cref="MaxRedirects"/>: the check is about this app, and an answer that sends the runner
/// elsewhere (a login page, a parked domain, an internal address) says nothing about it. No
/// proxy: the URL names the app as the job's own network reaches it, and an <c>HTTP(S)_PROXY</c>
/// meant for the workflow's downloads must not stand between them.
/// </remarks>
internal sealed class HealthProbe(HttpClient http, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    public const int MaxRedirects = 5;

    /// <summary>One client for the whole run: redirects followed here (same origin only), no cookies, no proxy.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false, ConnectTimeout = RequestTimeout })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<HealthOutcome> WaitHealthyAsync(string url, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var last = "no answer";
        var origin = new Uri(url);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attempt.CancelAfter(RequestTimeout);
                try
                {
                    var (healthy, said) = await AskAsync(origin, attempt.Token);
                    if (healthy) return new HealthOutcome(true, said, time.GetElapsedTime(started));
                    last = said;
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

    /// <summary>One attempt: the URL, then its redirects within the origin.</summary>
    private async Task<(bool Healthy, string Said)> AskAsync(Uri origin, CancellationToken cancellationToken)
    {
        var target = origin;
        for (var redirects = 0; ; redirects++)
        {
            using var response = await http.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            var said = $"HTTP {code.ToString(CultureInfo.InvariantCulture)}";
            if (code is >= 200 and < 300) return (true, said);
            if (code is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location) return (false, said);

            var next = location.IsAbsoluteUri ? location : new Uri(target, location);
            if (Uri.Compare(next, origin, UriComponents.SchemeAndServer | UriComponents.Port, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                return (false, $"{said} to another origin ({next.GetLeftPart(UriPartial.Authority)}), not followed");
            if (redirects >= MaxRedirects) return (false, $"{said}: more than {MaxRedirects} redirects");
            target = next;
        }
    }
}
