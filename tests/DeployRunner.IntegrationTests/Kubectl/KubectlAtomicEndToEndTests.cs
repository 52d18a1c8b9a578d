
namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// <c>atomic</c>, the <c>rollback</c> task and <c>--dry-run</c> through the built runner, with
/// the real kubectl, the fake Kubernetes API and the fake GitHub API.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlAtomicEndToEndTests : FakeApiTest
{
    private const string Environment = "pr-5";

    [Fact(Timeout = 120_000)]
    public async Task An_atomic_deploy_whose_rollout_fails_posts_failure_saying_it_rolled_back_and_the_cluster_runs_the_old_image()
    {
        await using var cluster = await StartClusterAsync();
        using var sandbox = Sandbox(cluster, WebhookEvents.Deployment(environment: Environment));
        (await sandbox.RunAsync(TimeSpan.FromSeconds(60))).ShouldExitWith(0);

        cluster.NeverAvailable(KubectlAtomicTests.BadImage);
        sandbox.Input("images", $"localhost:5000/acme/web={KubectlAtomicTests.BadImage}").Input("atomic", "true").Input("rollout-timeout", "3s");
        var failed = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        failed.ShouldExitWith(1);
        Assert.Equal(["in_progress", "success", "in_progress", "failure"], Api.States);
        Assert.StartsWith("Failed: rolled back (input `atomic`)", Api.Statuses[^1].Description);
        Assert.True(Api.Statuses[^1].Description!.Length <= 140);
        Assert.Equal(KubectlAtomicTests.GoodImage, Image(cluster));
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"rolled back\"", sandbox.Outputs()["results"]);
        Assert.Contains("| deployment/web | rolled back |", sandbox.Summary());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollback_deployment_puts_the_previous_release_back_and_posts_success()
    {
        await using var cluster = await StartClusterAsync();
        using var sandbox = Sandbox(cluster, WebhookEvents.Deployment(environment: Environment));
        (await sandbox.RunAsync(TimeSpan.FromSeconds(60))).ShouldExitWith(0);
        sandbox.Input("images", "localhost:5000/acme/web=localhost:5000/acme/web:v2");
        (await sandbox.RunAsync(TimeSpan.FromSeconds(60))).ShouldExitWith(0);
        Assert.Equal("localhost:5000/acme/web:v2", Image(cluster));

        File.WriteAllText(sandbox.EventPath, WebhookEvents.Deployment(id: 9_100_200_301, task: "rollback", environment: Environment));
        var rolledBack = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        rolledBack.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success", "in_progress", "success", "in_progress", "success"], Api.States);
        Assert.Equal($"Rolled back deployment/web in namespace {Environment} to the previous revision", Api.Statuses[^1].Description);
        Assert.Equal(KubectlAtomicTests.GoodImage, Image(cluster));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("true", "Atomic: on.")]
    [InlineData("false", "Atomic: off.")]
    public async Task A_dry_run_says_whether_atomic_is_on_and_what_it_would_record_and_touches_nothing(string atomic, string expected)
    {
        await using var cluster = await StartClusterAsync();
        using var sandbox = Sandbox(cluster, WebhookEvents.Deployment(environment: Environment)).Input("atomic", atomic).Input("dry-run", "true");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(0);
        var line = Assert.Single(result.Lines, l => l.StartsWith("Atomic:", StringComparison.Ordinal));
        Assert.StartsWith(expected, line);
        if (atomic == "true") Assert.Contains("deployment.kubernetes.io/revision", line);
        Assert.Empty(cluster.Requests);
        Assert.Empty(Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_of_a_rollback_deployment_says_what_would_be_rolled_back_and_touches_nothing()
    {
        await using var cluster = await StartClusterAsync();
        using var sandbox = Sandbox(cluster, WebhookEvents.Deployment(task: "rollback", environment: Environment)).Input("dry-run", "true");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(0);
        var line = Assert.Single(result.Lines, l => l.StartsWith("Rollback:", StringComparison.Ordinal));
        Assert.Contains($"environment '{Environment}'", line);
        Assert.Contains("previous revision", line);
        Assert.Empty(cluster.Requests);
        Assert.Empty(Api.States);
    }

    private static async Task<FakeKubernetesApi> StartClusterAsync()
    {
        KubectlScenario.RequireKubectl();
        return await FakeKubernetesApi.StartAsync();
    }

    private RunnerSandbox Sandbox(FakeKubernetesApi cluster, string eventJson)
    {
        var sandbox = new RunnerSandbox(eventJson, Api);
        sandbox.WriteWorkspaceFile("k8s/app.yaml", KubectlDeployTests.App);
        return sandbox.Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("namespace", Environment)
            .Input("manifests", "k8s/")
            .Input("rollout-timeout", "20s");
    }

    private static string? Image(FakeKubernetesApi cluster) =>
        (string?)cluster.Find("Deployment", Environment, "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"];
}
