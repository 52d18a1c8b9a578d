using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployRunner.TestKit;

/// <summary>
/// A web server on loopback that answers every GET with one YAML body and records each request:
/// the proof that something was, or was not, fetched from the network (a remote kustomize
/// resource, a URL in a file the runner reads).
/// </summary>
public sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly string _body;

    private RecordingServer(WebApplication app, int port, string body)
    {
        _app = app;
        _body = body;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    /// <summary>The paths asked for, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public static async Task<RecordingServer> StartAsync(string body)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new RecordingServer(app, port, body);
        app.Run(async context =>
        {
            server._requests.Enqueue(context.Request.Path + context.Request.QueryString);
            context.Response.ContentType = "application/yaml";
            await context.Response.WriteAsync(server._body);
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
