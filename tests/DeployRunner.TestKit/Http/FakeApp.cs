using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployRunner.TestKit;

/// <summary>
/// The application the health check asks: real HTTP on the fleet's loopback addresses (one port),
/// answering <c>/up</c> with 200, or 500 on the addresses marked unhealthy. Records who was asked.
/// </summary>
public sealed class FakeApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _unhealthy = new();
    private readonly ConcurrentQueue<string> _asked = new();
    private readonly ConcurrentDictionary<string, (int StatusCode, string Location)> _redirects = new();

    private FakeApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<string> Asked => _asked.ToList();

    public void MarkUnhealthy(string address) => _unhealthy[address] = true;

    /// <summary>Answers <paramref name="path"/> with a redirect to <paramref name="location"/> (relative or absolute).</summary>
    public void Redirect(string path, string location, int statusCode = 302) => _redirects[path] = (statusCode, location);

    public static async Task<FakeApp> StartAsync(IEnumerable<string> addresses)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(addresses.Select(a => $"http://{a}:{port}").ToArray());
        var app = builder.Build();
        var fake = new FakeApp(app, port);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var address = context.Connection.LocalIpAddress!.ToString();
        _asked.Enqueue($"{address}{context.Request.Path}");
        if (_redirects.TryGetValue(context.Request.Path.Value ?? "", out var redirect))
        {
            context.Response.StatusCode = redirect.StatusCode;
            context.Response.Headers.Location = redirect.Location;
            return;
        }

        context.Response.StatusCode = _unhealthy.ContainsKey(address) ? 500 : context.Request.Path == "/up" ? 200 : 404;
        await context.Response.WriteAsync(context.Response.StatusCode == 200 ? "ok" : "not ok");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
