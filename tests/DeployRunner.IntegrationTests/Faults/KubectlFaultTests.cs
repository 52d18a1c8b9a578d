using System.Diagnostics;
using System.Text;
using DeployRunner.IntegrationTests.Kubectl;

namespace DeployRunner.IntegrationTests.Faults;

/// <summary>The kubectl handler's hostile inputs: refused before in_progress, nothing sent to the cluster, the private kubeconfig gone.</summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlFaultTests : FakeApiTest
{
    private static string AliasBombManifest()
    {
        var yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
            yaml.Append($"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return yaml.ToString();
    }

    [Fact(Timeout = 60_000)]
    public async Task An_alias_bomb_in_a_manifest_with_images_set_is_refused_fast_with_an_error_status_and_no_kubeconfig_left_behind()
    {
        KubectlScenario.RequireKubectl();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: "pr-3", transient: true), Api);
        sandbox.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(sandbox.Root, "tmp")).FullName;
        sandbox.WriteWorkspaceFile("k8s/app.yaml", KubectlDeployTests.App);
        sandbox.WriteWorkspaceFile("k8s/bomb.yaml", AliasBombManifest());
        sandbox.Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("namespace", "pr-3")
            .Input("manifests", "k8s/")
            .Input("images", "localhost:5000/acme/web=localhost:5000/acme/web:3f2a1b0");

        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(2);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Took {clock.Elapsed.TotalSeconds:0.0} s.");
        Assert.Equal(["error"], Api.States);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("k8s/bomb.yaml", error, StringComparison.Ordinal);
        Assert.Contains("an alias bomb?", error, StringComparison.Ordinal);
        Assert.Empty(cluster.Requests);
        Assert.Empty(Directory.GetFileSystemEntries(sandbox.Environment["TMPDIR"]));
    }
}
