using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// Input <c>atomic</c> and the <c>rollback</c> task, with the real kubectl against a fake API
/// that keeps ReplicaSet revisions and serves what <c>kubectl rollout undo</c> asks for.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlAtomicTests
{
    public const string GoodImage = "localhost:5000/acme/web:v1";
    public const string BadImage = "localhost:5000/acme/web:v2-crashes";

    /// <summary>A ConfigMap the second release adds: the deploy creates it, so a rollback must delete it.</summary>
    public const string NewConfig = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          LOG_LEVEL: debug
        """;

    [Fact(Timeout = 120_000)]
    public async Task With_atomic_a_failed_rollout_puts_the_previous_template_back_and_deletes_what_the_deploy_created()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = PrepareBadRelease(scenario, await DeployFirstReleaseAsync(scenario), atomic: true);
        scenario.Write("k8s/settings.yaml", NewConfig);

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.StartsWith("Failed: rolled back (input `atomic`) after: deployment/web did not finish rolling out", result.Descriptions[^1]);
        Assert.NotEqual(0, result.ExitCode);

        // What reached the cluster: the undo to revision 1 (kubectl's JSON patch of the template),
        // so the Deployment runs the first release's image again; the ConfigMap is gone.
        var patch = Assert.Single(scenario.Cluster.JsonPatches);
        Assert.Contains(patch, op => (string?)op!["path"] == "/spec/template");
        var web = scenario.Cluster.Find("Deployment", "pr-1", "web")!;
        Assert.Equal(GoodImage, (string?)web["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("3", (string?)web["metadata"]!["annotations"]![FakeKubernetesApi.RevisionAnnotation]);
        Assert.Equal(2, scenario.Cluster.ReplicaSetsOf("pr-1", "web").Count);
        Assert.Null(scenario.Cluster.Find("ConfigMap", "pr-1", "web-settings"));
        Assert.Contains("ConfigMap/pr-1/web-settings", scenario.Cluster.Deleted);
        // What existed before and did not change stays, and keeps its mark.
        Assert.NotNull(scenario.Cluster.Find("Service", "pr-1", "web"));
        Assert.DoesNotContain("Service/pr-1/web", scenario.Cluster.Deleted);

        // The step summary says, per workload, that it was rolled back and to what.
        Assert.Contains("| deployment/web | failed |", result.Summary);
        Assert.Contains("| deployment/web | rolled back |", result.Summary);
        Assert.Contains("to revision 1", result.Summary);
        Assert.Contains("| configmap/web-settings | rolled back |", result.Summary);
    }

    [Fact(Timeout = 120_000)]
    public async Task With_atomic_a_half_failed_apply_undoes_the_workload_it_did_change()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployFirstReleaseAsync(scenario);
        scenario.Write("k8s/settings.yaml", NewConfig);
        // The new ConfigMap is refused; kubectl still patches the existing Deployment.
        scenario.Cluster.RejectCreatesWith = "configmaps are frozen";
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:v2";
        inputs["atomic"] = "true";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.StartsWith("Failed: rolled back (input `atomic`) after: kubectl apply failed", result.Descriptions[^1]);
        Assert.Single(scenario.Cluster.JsonPatches);
        Assert.Equal(GoodImage, (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Null(scenario.Cluster.Find("ConfigMap", "pr-1", "web-settings"));
        Assert.Contains("| deployment/web | rolled back |", result.Summary);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_atomic_a_failed_rollout_is_left_where_it_stopped()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = PrepareBadRelease(scenario, await DeployFirstReleaseAsync(scenario), atomic: false);
        scenario.Write("k8s/settings.yaml", NewConfig);

        var result = await scenario.RunAsync(inputs);

        Assert.Equal("failure", result.FinalState);
        Assert.DoesNotContain("rolled back", result.Descriptions[^1], StringComparison.OrdinalIgnoreCase);
        Assert.Empty(scenario.Cluster.JsonPatches);
        Assert.Equal(BadImage, (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "pr-1", "web-settings"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollback_that_fails_too_is_an_error_that_gives_both_reasons()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = PrepareBadRelease(scenario, await DeployFirstReleaseAsync(scenario), atomic: true);
        scenario.Cluster.RejectJsonPatchesWith = "admission webhook \"freeze.example.com\" denied the request: change freeze";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal("error", result.FinalState);
        Assert.NotEqual(0, result.ExitCode);
        // The full reason is in the summary (a status description holds 140 characters), Markdown-escaped.
        var reason = result.Summary.Split('\n').Single(l => l.StartsWith("| Result |", StringComparison.Ordinal));
        Assert.Contains("deployment/web did not finish rolling out", reason);
        Assert.Contains("The rollback \\(input \\`atomic\\`\\) failed too", reason);
        Assert.Contains("change freeze", reason);
        Assert.Contains("| deployment/web | rollback failed |", result.Summary);
        // The undo was attempted, refused, and the bad release is what is left.
        Assert.Single(scenario.Cluster.JsonPatches);
        Assert.Equal(BadImage, (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_rollback_task_puts_the_environments_workloads_back_on_their_previous_template_and_leaves_others_alone()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployFirstReleaseAsync(scenario);
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:v2";
        Assert.Equal("success", (await scenario.RunAsync(inputs)).FinalState);
        Assert.Equal("2", (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["metadata"]!["annotations"]![FakeKubernetesApi.RevisionAnnotation]);
        // Someone else's Deployment in the same namespace, with the same app label.
        scenario.Cluster.Seed(JsonNode.Parse("""
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "worker", "namespace": "pr-1", "labels": {"app": "web"}},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "worker"}},
                      "template": {"metadata": {"labels": {"app": "worker"}}, "spec": {"containers": [{"name": "w", "image": "worker:1"}]}}}}
            """)!.AsObject());

        var result = await scenario.RunAsync(inputs, task: "rollback");

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Equal("Rolled back deployment/web in namespace pr-1 to the previous revision", result.Descriptions[^1]);
        var web = scenario.Cluster.Find("Deployment", "pr-1", "web")!;
        Assert.Equal(GoodImage, (string?)web["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("3", (string?)web["metadata"]!["annotations"]![FakeKubernetesApi.RevisionAnnotation]);
        // The mark survives the undo (the ReplicaSet's annotations carry it back).
        Assert.Equal("pr-1", (string?)web["metadata"]!["annotations"]!["deliverybot-runner/environment"]);
        Assert.DoesNotContain(scenario.Cluster.Requests, r => r.StartsWith("PATCH", StringComparison.Ordinal) && r.Contains("/deployments/worker", StringComparison.Ordinal));
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith("GET /apis/apps/v1/namespaces/pr-1/deployments?", StringComparison.Ordinal) && r.Contains("labelSelector=", StringComparison.Ordinal));
        Assert.Contains("| deployment/web | rolled back |", result.Summary);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollback_task_for_an_environment_with_no_history_fails_and_says_why()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployFirstReleaseAsync(scenario);

        var result = await scenario.RunAsync(inputs, task: "rollback");

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.Contains("no rollout history found", result.Descriptions[^1]);
        Assert.Empty(scenario.Cluster.JsonPatches);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollback_task_for_another_environment_touches_nothing()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployFirstReleaseAsync(scenario);
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:v2";
        Assert.Equal("success", (await scenario.RunAsync(inputs)).FinalState);

        var result = await scenario.RunAsync(inputs, task: "rollback", environment: "pr-2");

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.Contains("nothing to roll back", result.Descriptions[^1]);
        Assert.Empty(scenario.Cluster.JsonPatches);
        Assert.Equal("localhost:5000/acme/web:v2", (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    /// <summary>Release two: an image whose pods never become available, a short rollout timeout, <c>atomic</c> as given.</summary>
    private static Dictionary<string, string> PrepareBadRelease(KubectlScenario scenario, Dictionary<string, string> inputs, bool atomic)
    {
        scenario.Cluster.NeverAvailable(BadImage);
        inputs["images"] = $"localhost:5000/acme/web={BadImage}";
        inputs["atomic"] = atomic ? "true" : "false";
        inputs["rollout-timeout"] = "3s";
        return inputs;
    }

    /// <summary>Release one: the web app with image v1 (revision 1), deployed and checked.</summary>
    private static async Task<Dictionary<string, string>> DeployFirstReleaseAsync(KubectlScenario scenario)
    {
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var inputs = scenario.Inputs();
        var first = await scenario.RunAsync(inputs);
        Assert.Equal(["in_progress", "success"], first.States);
        var replicaSet = Assert.Single(scenario.Cluster.ReplicaSetsOf("pr-1", "web"));
        Assert.Equal("1", (string?)replicaSet["metadata"]!["annotations"]![FakeKubernetesApi.RevisionAnnotation]);
        return inputs;
    }
}
