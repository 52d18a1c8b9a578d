using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The kubectl handler goes back one revision only: a <c>rollback</c> deployment that names a
/// release is refused before <c>in_progress</c>, and nothing reaches the cluster.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlRollbackInputTests : FakeApiTest
{
    [Theory(Timeout = 60_000)]
    [InlineData("\"41\"", "asks for release 41 (payload `release`), but the kubectl handler can only go back to each workload's previous revision")]
    [InlineData("\"latest\"", "payload `release` must be the id of the deployment to go back to")]
    public async Task A_rollback_deployment_naming_a_release_is_refused_before_in_progress_and_nothing_reaches_the_cluster(string release, string expected)
    {
        KubectlScenario.RequireKubectl();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "rollback", environment: "pr-5", payload: JsonNode.Parse($"{{\"release\": {release}}}")), Api);
        sandbox.WriteWorkspaceFile("k8s/app.yaml", KubectlDeployTests.App);
        sandbox.Input("handler", "kubectl").Input("kubeconfig", cluster.Kubeconfig()).Input("namespace", "pr-5").Input("manifests", "k8s/");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(2);
        Assert.Contains(expected, Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Equal(["error"], Api.States);
        Assert.Empty(cluster.Requests);
    }
}
