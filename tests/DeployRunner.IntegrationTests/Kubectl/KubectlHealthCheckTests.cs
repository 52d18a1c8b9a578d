using DeployRunner.IntegrationTests.Ssh.Releases;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The health check wraps the kubectl handler too: after the rollouts finished, the application
/// (a real HTTP server on loopback) must answer 2xx. Unhealthy is a <c>failure</c>; with
/// <c>atomic</c> the deploy is then undone like a failed rollout (the workloads back to their
/// recorded revision, what the deploy created deleted).
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlHealthCheckTests : IAsyncLifetime
{
    private const string Address = "127.0.0.1";
    private FakeApp _app = null!;

    public async Task InitializeAsync() => _app = await FakeApp.StartAsync([Address]);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string? Image(KubectlScenario scenario) =>
        (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"];

    /// <summary>Release one (v1) deployed while healthy; the inputs then ask for v2 with the health check.</summary>
    private async Task<Dictionary<string, string>> FirstReleaseAsync(KubectlScenario scenario)
    {
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var inputs = scenario.Inputs();
        inputs["health-check-url"] = $"http://{Address}:{_app.Port}/up";
        inputs["health-check-timeout"] = "2s";
        var first = await scenario.RunAsync(inputs);
        Assert.True(first.FinalState == "success", first.Log);
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:v2";
        return inputs;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_healthy_app_after_the_rollout_is_a_success_with_a_health_row()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await FirstReleaseAsync(scenario);

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains($"{Address}/up", _app.Asked);
        Assert.Contains($"| health http://{Address}:{_app.Port}/up | healthy |", result.Summary);
        Assert.Equal("localhost:5000/acme/web:v2", Image(scenario));
    }

    [Fact(Timeout = 120_000)]
    public async Task An_unhealthy_app_without_atomic_is_a_failure_and_the_new_release_stays()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await FirstReleaseAsync(scenario);
        _app.MarkUnhealthy(Address);

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.Contains("health check", result.Descriptions[^1]);
        Assert.DoesNotContain("rolled back", result.Descriptions[^1], StringComparison.OrdinalIgnoreCase);
        Assert.Empty(scenario.Cluster.JsonPatches);
        Assert.Equal("localhost:5000/acme/web:v2", Image(scenario));
    }

    [Fact(Timeout = 120_000)]
    public async Task With_atomic_an_unhealthy_app_is_rolled_back_to_the_recorded_revision_and_what_the_deploy_created_is_deleted()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await FirstReleaseAsync(scenario);
        scenario.Write("k8s/settings.yaml", KubectlAtomicTests.NewConfig);
        inputs["atomic"] = "true";
        _app.MarkUnhealthy(Address);

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.StartsWith($"Failed: rolled back (input `atomic`) after: The health check http://{Address}:{_app.Port}/up failed", result.Descriptions[^1]);
        // What reached the cluster: the undo of the template to revision 1, and the new ConfigMap deleted.
        var patch = Assert.Single(scenario.Cluster.JsonPatches);
        Assert.Contains(patch, op => (string?)op!["path"] == "/spec/template");
        Assert.Equal(KubectlAtomicTests.GoodImage, Image(scenario));
        Assert.Contains("ConfigMap/pr-1/web-settings", scenario.Cluster.Deleted);
        Assert.Contains("| deployment/web | rolled back |", result.Summary);
        Assert.Contains("to revision 1", result.Summary);
        Assert.Contains("| unhealthy |", result.Summary);
    }
}
