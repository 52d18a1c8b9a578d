using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// StatefulSets and DaemonSets keep their history in ControllerRevisions: with the real kubectl
/// against the fake API (which plays their controllers), <c>atomic</c> undoes a failed rollout to
/// the revision recorded before the apply, and the <c>rollback</c> task goes back one; the
/// assertions are on what reached the fake (the strategic merge patch of the revision's data).
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlControllerRevisionTests
{
    private const string GoodImage = "localhost:5000/acme/db:v1";
    private const string NextImage = "localhost:5000/acme/db:v2";
    private const string BadImage = "localhost:5000/acme/db:v3-crashes";

    private static string Manifest(string kind) => $$"""
        apiVersion: apps/v1
        kind: {{kind}}
        metadata:
          name: db
          labels: {app: db}
        spec:
        {{(kind == "StatefulSet" ? "  serviceName: db\n  replicas: 1\n" : "")}}  selector:
            matchLabels: {app: db}
          template:
            metadata:
              labels: {app: db}
            spec:
              containers:
              - name: db
                image: localhost:5000/acme/db:v1
        """;

    private static string? Image(KubectlScenario scenario, string kind) =>
        (string?)scenario.Cluster.Find(kind, "pr-1", "db")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"];

    /// <summary>Deploys the given images in turn, each must succeed; returns the inputs.</summary>
    private static async Task<Dictionary<string, string>> DeployAsync(KubectlScenario scenario, string kind, params string[] images)
    {
        scenario.Write("k8s/db.yaml", Manifest(kind));
        var inputs = scenario.Inputs();
        foreach (var image in images)
        {
            inputs["images"] = $"localhost:5000/acme/db={image}";
            var result = await scenario.RunAsync(inputs);
            Assert.True(result.FinalState == "success", result.Log);
        }

        return inputs;
    }

    [Theory(Timeout = 180_000)]
    [InlineData("StatefulSet", "statefulsets", "statefulset/db")]
    [InlineData("DaemonSet", "daemonsets", "daemonset/db")]
    public async Task With_atomic_a_failed_rollout_is_undone_to_the_controller_revision_recorded_before_the_apply(string kind, string resource, string reference)
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployAsync(scenario, kind, GoodImage, NextImage);
        Assert.Equal([1L, 2L], scenario.Cluster.ControllerRevisionsOf(kind, "pr-1", "db").Select(r => (long)r["revision"]!));
        scenario.Cluster.NeverAvailable(BadImage);
        inputs["images"] = $"localhost:5000/acme/db={BadImage}";
        inputs["atomic"] = "true";
        inputs["rollout-timeout"] = "3s";
        Assert.Empty(UndoPatches(scenario));

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.StartsWith($"Failed: rolled back (input `atomic`) after: {reference} did not finish rolling out", result.Descriptions[^1]);
        // What reached the cluster after the failed apply: one strategic merge patch that replaces
        // the template with revision 2's (the recorded one: v2, not the first release's v1).
        var patch = Assert.Single(UndoPatches(scenario));
        Assert.Equal("replace", (string?)patch["spec"]!["template"]!["$patch"]);
        Assert.Equal(NextImage, (string?)patch["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(NextImage, Image(scenario, kind));
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith($"PATCH /apis/apps/v1/namespaces/pr-1/{resource}/db", StringComparison.Ordinal));
        // The controller renumbers the reused revision: v2 is now the newest (4), v3's stays 3.
        var revisions = scenario.Cluster.ControllerRevisionsOf(kind, "pr-1", "db");
        Assert.Equal(3, revisions.Count);
        Assert.Equal(NextImage, (string?)revisions[^1]["data"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(4L, (long)revisions[^1]["revision"]!);
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith("GET /apis/apps/v1/namespaces/pr-1/controllerrevisions", StringComparison.Ordinal));
        Assert.Contains($"| {reference} | rolled back |", result.Summary);
        Assert.Contains("to revision 2", result.Summary);
    }

    [Theory(Timeout = 180_000)]
    [InlineData("StatefulSet", "statefulsets", "statefulset/db")]
    [InlineData("DaemonSet", "daemonsets", "daemonset/db")]
    public async Task The_rollback_task_puts_a_workload_back_on_its_previous_controller_revision(string kind, string resource, string reference)
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = await DeployAsync(scenario, kind, GoodImage, NextImage);
        Assert.Empty(UndoPatches(scenario));

        var result = await scenario.RunAsync(inputs, task: "rollback");

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Equal($"Rolled back {reference} in namespace pr-1 to the previous revision", result.Descriptions[^1]);
        var patch = Assert.Single(UndoPatches(scenario));
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith($"PATCH /apis/apps/v1/namespaces/pr-1/{resource}/db", StringComparison.Ordinal));
        Assert.Equal(GoodImage, (string?)patch["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(GoodImage, Image(scenario, kind));
        // The mark is on the object, not in the template: an undo keeps it.
        Assert.Equal("pr-1", (string?)scenario.Cluster.Find(kind, "pr-1", "db")!["metadata"]!["annotations"]!["deliverybot-runner/environment"]);
    }

    /// <summary>
    /// The undo patches that reached the fake: patch bodies whose template carries
    /// <c>$patch: replace</c>, which only <c>rollout undo</c> sends (a revision's data); kubectl
    /// apply's patches never do.
    /// </summary>
    private static List<JsonObject> UndoPatches(KubectlScenario scenario) =>
        [.. scenario.Cluster.Received.Where(body => (string?)body["spec"]?["template"]?["$patch"] == "replace")];
}
