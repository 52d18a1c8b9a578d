using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>The kubectl handler's <c>remove</c> task: what it deletes, and what it never deletes.</summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlRemoveTests
{
    [Fact(Timeout = 120_000)]
    public async Task Remove_deletes_the_objects_the_manifests_describe_and_ends_inactive()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var deployed = await scenario.RunAsync(scenario.Inputs());
        Assert.Equal("success", deployed.FinalState);

        var removed = await scenario.RunAsync(scenario.Inputs(), task: "remove");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.Contains("Service/pr-1/web", scenario.Cluster.Deleted);
        Assert.Contains("Deployment/pr-1/web", scenario.Cluster.Deleted);
        Assert.Null(scenario.Cluster.Find("Deployment", "pr-1", "web"));
        // Without remove-namespace the namespace stays.
        Assert.NotNull(scenario.Cluster.Find("Namespace", null, "pr-1"));
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"deleted\"", removed.Outputs);
    }

    [Fact(Timeout = 120_000)]
    public async Task Removing_what_is_already_gone_still_ends_inactive()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);

        var removed = await scenario.RunAsync(scenario.Inputs(), task: "remove");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.Empty(scenario.Cluster.Deleted);
    }

    [Fact(Timeout = 120_000)]
    public async Task Remove_namespace_deletes_the_namespace_this_runner_created()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var inputs = scenario.Inputs(ns: "pr-42");
        inputs["remove-namespace"] = "true";
        Assert.Equal("success", (await scenario.RunAsync(inputs, environment: "pr-42")).FinalState);

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "pr-42");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.Null(scenario.Cluster.Find("Namespace", null, "pr-42"));
        Assert.Contains("Namespace//pr-42", scenario.Cluster.Deleted);
        Assert.Contains("\"target\":\"namespace/pr-42\",\"result\":\"deleted\"", removed.Outputs);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_namespace_without_our_label_is_left_alone_and_only_the_manifests_objects_are_deleted()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        scenario.Cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "team-shop" } });
        scenario.Cluster.Seed(new JsonObject
        {
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "someone-elses", ["namespace"] = "team-shop" },
            ["data"] = new JsonObject { ["keep"] = "me" },
        });
        var inputs = scenario.Inputs(ns: "team-shop");
        inputs["remove-namespace"] = "true";
        Assert.Equal("success", (await scenario.RunAsync(inputs, environment: "team-shop")).FinalState);

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "team-shop");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.NotNull(scenario.Cluster.Find("Namespace", null, "team-shop"));
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "team-shop", "someone-elses"));
        Assert.DoesNotContain("Namespace//team-shop", scenario.Cluster.Deleted);
        Assert.Contains("Deployment/team-shop/web", scenario.Cluster.Deleted);
        Assert.Contains("::warning title=Namespace kept::Namespace team-shop was not created by this runner", removed.Log);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_namespace_this_runner_made_for_another_environment_is_left_alone()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        var inputs = scenario.Inputs(ns: "pr-5");
        inputs.Remove("manifests");
        inputs["remove-namespace"] = "true";
        scenario.Cluster.Seed(new JsonObject
        {
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject
            {
                ["name"] = "pr-5",
                ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "deliverybot-runner", ["deliverybot-runner/environment"] = "pr-6" },
            },
        });

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "pr-5");

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.NotNull(scenario.Cluster.Find("Namespace", null, "pr-5"));
        Assert.Empty(scenario.Cluster.Deleted);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_remove_script_runs_before_the_deletion_and_a_failing_one_deletes_nothing()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        Assert.Equal("success", (await scenario.RunAsync(scenario.Inputs())).FinalState);
        var inputs = scenario.Inputs();
        inputs["remove-script"] = """
            echo "still there: $(kubectl get deployment web --namespace "$DEPLOY_NAMESPACE" -o 'jsonpath={.metadata.name}')"
            exit 4
            """;

        var removed = await scenario.RunAsync(inputs, task: "remove");

        Assert.Equal(["in_progress", "failure"], removed.States);
        Assert.Contains("still there: web", removed.Log);
        Assert.Empty(scenario.Cluster.Deleted);
    }
}
