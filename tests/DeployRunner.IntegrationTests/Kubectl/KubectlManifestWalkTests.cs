namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The <c>manifests</c> folders and globs are walked by the runner's one bounded walker: a link
/// loop in a checked-out tree is a configuration error naming it, before any status and before
/// kubectl or the cluster hear of it, through the built runner.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlManifestWalkTests : FakeApiTest
{
    [Theory(Timeout = 90_000)]
    [InlineData("k8s/**/*.yaml", "k8s/base/up", "..")]
    [InlineData("k8s/**/*.yaml", "k8s/base/self", ".")]
    [InlineData("k8s/**/*.yaml", "k8s/base/ping", "CHAIN")]
    public async Task A_link_loop_under_the_manifests_is_a_configuration_error_naming_it(string manifests, string named, string target)
    {
        KubectlScenario.RequireKubectl();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: "pr-3", transient: true), Api);
        sandbox.WriteWorkspaceFile("k8s/base/app.yaml", KubectlDeployTests.App);
        if (target == "CHAIN")
        {
            var ping = Path.Combine(sandbox.Workspace, named);
            File.CreateSymbolicLink(ping, "pong");
            File.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(ping)!, "pong"), "ping");
        }
        else
        {
            File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, named), target);
        }

        sandbox.Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("namespace", "pr-3")
            .Input("manifests", manifests);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains($"Input `manifests`: '{named}'", error);
        Assert.Contains("loop", error);
        Assert.DoesNotContain("Runner fault", result.Log);
        Assert.Equal(["error"], Api.States);
        Assert.StartsWith("Configuration error: ", Api.Statuses[0].Description);
        Assert.Empty(cluster.Requests);
    }
}
