using System.Text.Json.Nodes;
using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The runner's mark on what it applies, and removal by that mark alone (a review app must never delete what another owns): the real
/// kubectl against the fake Kubernetes API. An attacker who can create deployments, and a user
/// with two environments whose names look alike, must never get someone else's objects deleted.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlOwnershipTests
{
    private const string ProductionApp = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: localhost:5000/acme/web:v1}]}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config}
        data: {mode: review}
        """;

    private static void SeedUnlabelledProduction(FakeKubernetesApi cluster)
    {
        cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "production" } });
        cluster.Seed(new JsonObject { ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "production" }, ["spec"] = new JsonObject() });
        cluster.Seed(new JsonObject { ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "web-config", ["namespace"] = "production" }, ["data"] = new JsonObject { ["mode"] = "live" } });
    }

    private static JsonObject? Labels(JsonObject? item) => item?["metadata"]?["labels"] as JsonObject;

    [Fact(Timeout = 120_000)]
    public async Task Everything_applied_carries_the_mark_of_the_exact_environment_as_a_hashed_label_and_an_annotation()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);

        var deployed = await scenario.RunAsync(scenario.Inputs(ns: "pr-17"), environment: "pr/17");

        Assert.Equal("success", deployed.FinalState);
        var mark = new OwnershipMark("pr/17");
        foreach (var item in new[] { scenario.Cluster.Find("Deployment", "pr-17", "web"), scenario.Cluster.Find("Service", "pr-17", "web"), scenario.Cluster.Find("Namespace", null, "pr-17") })
        {
            Assert.Equal("deliverybot-runner", (string?)Labels(item)!["app.kubernetes.io/managed-by"]);
            Assert.Equal(mark.LabelValue, (string?)Labels(item)!["deliverybot-runner/environment"]);
            Assert.Equal("pr/17", (string?)item!["metadata"]!["annotations"]!["deliverybot-runner/environment"]);
        }

        // The manifest's own labels stay.
        Assert.Equal("web", (string?)Labels(scenario.Cluster.Find("Deployment", "pr-17", "web"))!["app"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task Case_1_a_crafted_remove_of_production_through_a_review_target_deletes_nothing_and_names_what_it_kept()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", ProductionApp);
        SeedUnlabelledProduction(scenario.Cluster);
        var inputs = scenario.Inputs(ns: "production");
        inputs["remove-namespace"] = "true";

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "production");

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.Empty(scenario.Cluster.Deleted);
        Assert.NotNull(scenario.Cluster.Find("Deployment", "production", "web"));
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "production", "web-config"));
        Assert.DoesNotContain(scenario.Cluster.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Contains("::warning title=Objects kept::Left alone, not deployed by this runner for environment 'production': configmap/web-config in namespace production, deployment/web in namespace production.", removed.Log);
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"kept\"", removed.Outputs);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploying_over_objects_that_are_not_ours_is_refused_so_they_are_never_silently_adopted()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", ProductionApp);
        SeedUnlabelledProduction(scenario.Cluster);

        var deployed = await scenario.RunAsync(scenario.Inputs(ns: "production"), environment: "production");

        Assert.Equal(["in_progress", "error"], deployed.States);
        Assert.Contains("Refusing to apply: deployment/web in namespace production, configmap/web-config in namespace production already exist(s)", deployed.Log);
        Assert.Contains("kubectl label --overwrite --namespace production deployment/web configmap/web-config", deployed.Log);
        Assert.Null(Labels(scenario.Cluster.Find("Deployment", "production", "web")));
        Assert.DoesNotContain(scenario.Cluster.Requests, r => r.StartsWith("PATCH", StringComparison.Ordinal) || r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal("live", (string?)scenario.Cluster.Find("ConfigMap", "production", "web-config")!["data"]!["mode"]);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_documented_adopt_commands_make_existing_objects_ours_and_then_deploy_and_remove_work()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", ProductionApp);
        SeedUnlabelledProduction(scenario.Cluster);
        var refused = await scenario.RunAsync(scenario.Inputs(ns: "production"), environment: "legacy app");
        var hint = refused.Log[(refused.Log.IndexOf("adopt them once: ", StringComparison.Ordinal) + "adopt them once: ".Length)..].Split('\n')[0].Trim();

        // The hint, run as a user would, with the real kubectl against the cluster.
        var kubeconfig = scenario.Write("kubeconfig", scenario.Cluster.Kubeconfig());
        var adopt = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", hint]) { Environment = { ["KUBECONFIG"] = kubeconfig }, RedirectStandardError = true })!;
        await adopt.WaitForExitAsync();
        Assert.True(adopt.ExitCode == 0, $"{hint}\n{await adopt.StandardError.ReadToEndAsync()}");

        Assert.Equal("success", (await scenario.RunAsync(scenario.Inputs(ns: "production"), environment: "legacy app")).FinalState);
        var removed = await scenario.RunAsync(scenario.Inputs(ns: "production"), task: "remove", environment: "legacy app");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.Contains("Deployment/production/web", scenario.Cluster.Deleted);
        Assert.Contains("ConfigMap/production/web-config", scenario.Cluster.Deleted);
        Assert.NotNull(scenario.Cluster.Find("Namespace", null, "production"));
    }

    [Fact(Timeout = 180_000)]
    public async Task Case_3_a_remove_for_pr_slash_17_leaves_the_namespace_and_objects_of_pr_dash_17_alone()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var inputs = scenario.Inputs(ns: "pr-17");
        inputs["remove-namespace"] = "true";
        Assert.Equal("success", (await scenario.RunAsync(inputs, environment: "pr-17")).FinalState);

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "pr/17");

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.Empty(scenario.Cluster.Deleted);
        Assert.Contains("::warning title=Namespace kept::Namespace pr-17 was not created by this runner for environment 'pr/17'", removed.Log);
        Assert.Contains("deployment/web in namespace pr-17 (deployed for environment 'pr-17')", removed.Log);
    }

    [Theory(Timeout = 180_000)]
    [InlineData("äöü")]
    [InlineData("---")]
    public async Task An_environment_name_that_sanitizes_to_nothing_matches_no_managed_namespace(string environment)
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = scenario.Inputs(ns: "pr-5");
        inputs.Remove("manifests");
        inputs["remove-namespace"] = "true";
        // A namespace made by the runner before environments were hashed: no environment label at all.
        scenario.Cluster.Seed(new JsonObject
        {
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = "pr-5", ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "deliverybot-runner" } },
        });

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: environment);

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.NotNull(scenario.Cluster.Find("Namespace", null, "pr-5"));
        Assert.Empty(scenario.Cluster.Deleted);
    }

    [Fact(Timeout = 180_000)]
    public async Task Two_environments_sharing_a_namespace_cannot_take_or_delete_each_others_objects()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        Assert.Equal("success", (await scenario.RunAsync(scenario.Inputs(ns: "shared"), environment: "review-a")).FinalState);

        var stolen = await scenario.RunAsync(scenario.Inputs(ns: "shared"), environment: "review-b");
        var removed = await scenario.RunAsync(scenario.Inputs(ns: "shared"), task: "remove", environment: "review-b");

        Assert.Equal("error", stolen.FinalState);
        Assert.Contains("(deployed for environment 'review-a')", stolen.Log);
        Assert.Equal("failure", removed.FinalState);
        Assert.Empty(scenario.Cluster.Deleted);
        Assert.Equal("review-a", (string?)scenario.Cluster.Find("Deployment", "shared", "web")!["metadata"]!["annotations"]!["deliverybot-runner/environment"]);
    }

    [Fact(Timeout = 180_000)]
    public async Task Removal_deletes_our_objects_and_keeps_a_foreign_one_of_the_same_manifests_naming_it()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        Assert.Equal("success", (await scenario.RunAsync(scenario.Inputs())).FinalState);
        scenario.Write("k8s/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared-settings}\ndata: {a: b}\n");
        scenario.Cluster.Seed(new JsonObject { ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "shared-settings", ["namespace"] = "pr-1" }, ["data"] = new JsonObject() });

        var removed = await scenario.RunAsync(scenario.Inputs(), task: "remove");

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.Contains("Deployment/pr-1/web", scenario.Cluster.Deleted);
        Assert.Contains("Service/pr-1/web", scenario.Cluster.Deleted);
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "pr-1", "shared-settings"));
        Assert.Contains("configmap/shared-settings in namespace pr-1", removed.Log);
    }
}
