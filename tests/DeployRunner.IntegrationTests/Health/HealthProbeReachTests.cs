namespace DeployRunner.IntegrationTests.Health;

/// <summary>
/// The health check asks the app the URL names and nothing else: redirects only within the
/// URL's origin, and no proxy from the job's environment. The built runner (shell handler)
/// against two <see cref="FakeApp"/>s on loopback: "app" and "elsewhere".
/// </summary>
public sealed class HealthProbeReachTests : FakeApiTest
{
    private const string Address = "127.0.0.1";

    private RunnerSandbox Deploy(string healthUrl) =>
        new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "true")
            .Input("health-check-url", healthUrl)
            .Input("health-check-timeout", "2s");

    [Fact(Timeout = 60_000)]
    public async Task A_redirect_to_another_origin_is_not_followed_and_the_check_fails()
    {
        await using var app = await FakeApp.StartAsync([Address]);
        await using var elsewhere = await FakeApp.StartAsync([Address]);
        app.Redirect("/up", $"http://{Address}:{elsewhere.Port}/up");
        using var sandbox = Deploy($"http://{Address}:{app.Port}/up");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Empty(elsewhere.Asked);
        Assert.Contains(result.Lines, l => l.Contains($"to another origin (http://{Address}:{elsewhere.Port}), not followed", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_redirect_within_the_origin_is_followed()
    {
        await using var app = await FakeApp.StartAsync([Address]);
        app.Redirect("/health", "/up", 301);
        using var sandbox = Deploy($"http://{Address}:{app.Port}/health");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Equal([$"{Address}/health", $"{Address}/up"], app.Asked.Take(2));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_redirect_loop_within_the_origin_is_bounded()
    {
        await using var app = await FakeApp.StartAsync([Address]);
        app.Redirect("/a", "/b");
        app.Redirect("/b", "/a");
        using var sandbox = Deploy($"http://{Address}:{app.Port}/a");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains(result.Lines, l => l.Contains("more than 5 redirects", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_jobs_http_proxy_is_not_used_for_the_check()
    {
        // The proxy answers 200 to whatever it is asked; the name it would be asked for does not
        // resolve, so only a probe that goes through the proxy can pass.
        await using var proxy = await FakeApp.StartAsync([Address]);
        using var sandbox = Deploy($"http://app.invalid:{proxy.Port}/up");
        sandbox.Environment["HTTP_PROXY"] = $"http://{Address}:{proxy.Port}";
        sandbox.Environment["http_proxy"] = $"http://{Address}:{proxy.Port}";
        sandbox.Environment["HTTPS_PROXY"] = $"http://{Address}:{proxy.Port}";
        // The GitHub API (the fake, on loopback) may use a proxy; this one is for the app only.
        sandbox.Environment["NO_PROXY"] = Address;
        sandbox.Environment["no_proxy"] = Address;

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Empty(proxy.Asked);
    }
}
