namespace DeployRunner.GitHub;

/// <summary>
/// Keeps mutative requests (POST, PATCH, PUT, DELETE) at least <paramref name="spacing"/> apart, as
/// GitHub asks (a teardown posts many statuses). Serially, and the pause counts from the previous
/// answer, not from its sending: a slow request (a new connection, a busy machine) must not shorten
/// the pause GitHub sees. GET and HEAD pass straight through.
/// </summary>
internal sealed class MutationPacingHandler(TimeSpan spacing, TimeProvider time, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly SemaphoreSlim _mutations = new(1, 1);
    private long? _lastAnswer;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head) return await base.SendAsync(request, cancellationToken);
        await _mutations.WaitAsync(cancellationToken);
        try
        {
            if (_lastAnswer is { } last && spacing - time.GetElapsedTime(last) is { Ticks: > 0 } pause)
                await Task.Delay(pause, time, cancellationToken);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                _lastAnswer = time.GetTimestamp();
            }
        }
        finally
        {
            _mutations.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _mutations.Dispose();
        base.Dispose(disposing);
    }
}
