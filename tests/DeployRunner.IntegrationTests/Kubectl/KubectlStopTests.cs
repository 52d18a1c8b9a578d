using System.Diagnostics;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>Cancel and time-out stop kubectl, post a terminal status and leave no kubeconfig behind.</summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlStopTests
{
    [Fact(Timeout = 120_000)]
    public async Task Cancelling_stops_kubectl_within_seconds_and_removes_the_temporary_kubeconfig()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        scenario.Cluster.RolloutsBecomeAvailable = false;
        var inputs = scenario.Inputs();
        inputs["rollout-timeout"] = "5m";

        using var cancel = new CancellationTokenSource();
        var run = scenario.RunAsync(inputs, cancellationToken: cancel.Token);
        await WaitForAsync(() => scenario.Cluster.Requests.Any(r => r.Contains("watch=true", StringComparison.Ordinal)));
        var folder = Assert.Single(KubeconfigFoldersFor(scenario.Cluster.BaseAddress));
        Assert.NotEmpty(Processes.WithCommandLineContaining(folder));
        var stopping = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var result = await run;

        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(7));
        Assert.Equal(["in_progress", "error"], result.States);
        Assert.Contains("cancelled", result.Descriptions[^1]);
        Assert.Empty(KubeconfigFoldersFor(scenario.Cluster.BaseAddress));
        // kubectl (whose --cache-dir is in that folder) is gone.
        Assert.Empty(Processes.WithCommandLineContaining(folder));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_deployment_timeout_stops_a_rollout_wait_and_ends_in_error()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        scenario.Cluster.RolloutsBecomeAvailable = false;
        var inputs = scenario.Inputs();
        inputs["rollout-timeout"] = "5m";

        var stopping = Stopwatch.StartNew();
        var result = await scenario.RunAsync(inputs, timeout: TimeSpan.FromSeconds(4));

        Assert.InRange(stopping.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
        Assert.Equal(["in_progress", "error"], result.States);
        Assert.Contains("timed out", result.Descriptions[^1]);
        // Only this scenario's folders count: other tests on the machine use /tmp too.
        Assert.Empty(KubeconfigFoldersFor(scenario.Cluster.BaseAddress));
    }

    /// <summary>Temporary kubeconfig folders whose kubeconfig points at this fake cluster.</summary>
    private static IEnumerable<string> KubeconfigFoldersFor(Uri cluster) =>
        KubeconfigFolders().Where(folder =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(folder, "kubeconfig")).Contains(cluster.ToString().TrimEnd('/'), StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // Being deleted right now, or not ours to read.
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }).ToList();

    private static string[] KubeconfigFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), "deliverybot-kubectl-*");

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail("Timed out waiting for kubectl to start watching the rollout.");
            await Task.Delay(50);
        }
    }
}
