using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployRunner.ContainerTests.Infrastructure;

/// <summary>One request the fake received, with the moment it arrived.</summary>
public sealed record RecordedStatus(string Path, string? Authorization, string? ContentType, JsonObject Body, DateTimeOffset ReceivedAt)
{
    public string State => (string?)Body["state"] ?? "";
}

/// <summary>
/// A fake of GitHub's deployment statuses endpoint on 127.0.0.1 (real HTTP, so the real Octokit
/// client in the runner talks to it). Records every request. Containers reach it with
/// <c>--network host</c>.
/// </summary>
public sealed class FakeStatusesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedStatus> _statuses = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private long _nextId = 1000;

    private FakeStatusesApi(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<RecordedStatus> Statuses => _statuses.ToArray();

    public static async Task<FakeStatusesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStatusesApi(app);
        app.MapPost("/repos/{owner}/{repo}/deployments/{id}/statuses", (Delegate)fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.Single();
        return fake;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        _statuses.Enqueue(new RecordedStatus(
            context.Request.Path.Value ?? "",
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType,
            body,
            DateTimeOffset.UtcNow));
        _arrived.Release();
        var id = Interlocked.Increment(ref _nextId);
        return Results.Json(new JsonObject { ["id"] = id, ["state"] = body["state"]?.DeepClone() }, statusCode: 201);
    }

    /// <summary>Waits until a status matching <paramref name="match"/> has arrived.</summary>
    public async Task<RecordedStatus> WaitForAsync(Func<RecordedStatus, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_statuses.FirstOrDefault(match) is { } found) return found;
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching status within {timeout.TotalSeconds} s; received: {string.Join(", ", _statuses.Select(s => s.State))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
