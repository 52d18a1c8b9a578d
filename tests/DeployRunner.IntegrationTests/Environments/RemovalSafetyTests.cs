using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Kubectl;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// Removal safety, through the built runner and the fake GitHub API: a removal needs a removable
/// environment, and every path a setting names stays inside the workspace. Each refusal is one
/// <c>::error::</c> line and an <c>error</c> status posted before anything runs (no
/// <c>in_progress</c>).
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class RemovalSafetyTests : FakeApiTest
{
    private const string Marker = "ran.txt";

    private static void AssertRefusedBeforeAnything(RunnerResult result, RunnerSandbox sandbox, FakeGitHubApi api, string expected)
    {
        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.Equal(["error"], api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, Marker)), "Nothing may run.");
        Assert.DoesNotContain("   at ", result.Log);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("shell", true)]
    [InlineData("shell", false)]
    [InlineData("ssh", true)]
    [InlineData("kubectl", true)]
    public async Task A_remove_of_a_production_environment_is_refused_with_error_for_every_handler(string handler, bool transient)
    {
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", environment: "production", transient: transient, production: true), Api)
            .Input("handler", handler)
            .Input("remove-script", $"touch {Marker}")
            .Input("remove-non-transient", "true")
            .Input("hosts", "127.0.0.1:1")
            .Input("ssh-fingerprints", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("namespace", "production")
            .Input("remove-namespace", "true");

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeAnything(result, sandbox, Api, "Refusing to remove environment 'production': deployment 9100200300 is marked production_environment");
        Assert.Empty(cluster.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remove_of_a_non_transient_environment_is_refused_unless_the_workflow_opts_in()
    {
        using (var refused = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", environment: "staging"), Api).Input("remove-script", $"touch {Marker}"))
        {
            var result = await refused.RunAsync();

            AssertRefusedBeforeAnything(result, refused, Api, "set input `remove-non-transient: true`");
        }

        using var allowed = new RunnerSandbox(WebhookEvents.Deployment(id: 9_100_200_301, task: "remove", environment: "staging"), Api)
            .Input("remove-script", $"touch {Marker}")
            .Input("remove-non-transient", "true");
        (await allowed.RunAsync()).ShouldExitWith(0);
        Assert.True(File.Exists(Path.Combine(allowed.Workspace, Marker)));
        Assert.Equal("inactive", Api.LatestState(9_100_200_301));
    }

    [Fact(Timeout = 60_000)]
    public async Task Neither_the_payload_nor_the_config_file_can_opt_in_to_removing_non_transient_environments()
    {
        using (var payload = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", payload: new JsonObject { ["remove-non-transient"] = "true" }), Api)
                   .Input("remove-script", $"touch {Marker}")
                   .Input("payload-overrides", "remove-non-transient"))
        {
            var result = await payload.RunAsync();

            AssertRefusedBeforeAnything(result, payload, Api, "Input `payload-overrides` lists `remove-non-transient`, which is not a setting a deployment may override");
        }

        using var file = new RunnerSandbox(WebhookEvents.Deployment(id: 9_100_200_302, task: "remove"), Api).Input("remove-script", $"touch {Marker}");
        file.WriteWorkspaceFile(".github/deploy.yml", "staging:\n  environment: staging\n  runner:\n    remove-non-transient: true\n");
        var fromFile = await file.RunAsync();
        fromFile.ShouldExitWith(2);
        Assert.False(File.Exists(Path.Combine(file.Workspace, Marker)));
        Assert.Equal("error", Api.LatestState(9_100_200_302));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("../../../../../../root")]
    [InlineData("../..")]
    [InlineData("web/../../..")]
    public async Task Case_4_a_working_directory_that_a_payload_value_leads_out_of_the_workspace_is_refused(string app)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(payload: new JsonObject { ["app"] = app }), Api)
            .Input("script", $"touch \"$GITHUB_WORKSPACE/{Marker}\"; pwd")
            .Input("working-directory", "apps/{payload.app}");
        sandbox.WriteWorkspaceFile("apps/web/keep", "");

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeAnything(result, sandbox, Api, "Setting `working-directory` names 'apps/{payload.app}'".Replace("{payload.app}", app, StringComparison.Ordinal));
        Assert.Contains("outside the workspace", result.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_working_directory_through_a_checked_out_symbolic_link_to_outside_is_refused()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"touch \"$GITHUB_WORKSPACE/{Marker}\"")
            .Input("working-directory", "apps/web");
        Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "apps"));
        Directory.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "apps", "web"), "/root");

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeAnything(result, sandbox, Api, "resolves to /root, outside the workspace");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_link_that_stays_inside_the_workspace_is_fine()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"touch {Marker}")
            .Input("working-directory", "current");
        Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "releases", "v2"));
        Directory.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "current"), "releases/v2");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.True(File.Exists(Path.Combine(sandbox.Workspace, "releases", "v2", Marker)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_config_file_outside_the_workspace_or_behind_a_link_to_outside_is_refused()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.yml");
        File.WriteAllText(outside, "staging:\n  environment: staging\n  runner:\n    script: touch ran.txt\n");
        try
        {
            using (var dots = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("config", "../../" + Path.GetFileName(outside)))
                AssertRefusedBeforeAnything(await dots.RunAsync(), dots, Api, "Setting `config` names");

            using var link = new RunnerSandbox(WebhookEvents.Deployment(id: 9_100_200_303), Api);
            Directory.CreateDirectory(Path.Combine(link.Workspace, ".github"));
            File.CreateSymbolicLink(Path.Combine(link.Workspace, ".github", "deploy.yml"), outside);
            var result = await link.RunAsync();
            result.ShouldExitWith(2);
            Assert.Contains($"resolves to {outside}, outside the workspace", Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
            Assert.False(File.Exists(Path.Combine(link.Workspace, Marker)));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("k8s/{payload.app}.yaml", "../../outside")]
    [InlineData("k8s/{payload.app}", "linked")]
    [InlineData("k8s/*.yaml", "x")]
    public async Task Case_4_manifests_that_lead_out_of_the_workspace_by_a_payload_value_or_a_link_are_refused(string manifests, string app)
    {
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: "pr-1", payload: new JsonObject { ["app"] = app }), Api)
            .Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("namespace", "pr-1")
            .Input("manifests", manifests);
        File.WriteAllText(Path.Combine(sandbox.Root, "outside.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\n");
        Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "k8s"));
        File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "k8s", "linked"), Path.Combine(sandbox.Root, "outside.yaml"));
        File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "k8s", "evil.yaml"), Path.Combine(sandbox.Root, "outside.yaml"));

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeAnything(result, sandbox, Api, "outside the workspace");
        Assert.Contains("`manifests`", result.Lines.Single(l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Empty(cluster.Requests);
    }

    [Fact(Timeout = 120_000)]
    public async Task Case_1_end_to_end_a_crafted_remove_deployment_for_production_through_the_review_target_deletes_nothing()
    {
        KubectlScenario.RequireKubectl();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "production" } });
        cluster.Seed(new JsonObject { ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "production" }, ["spec"] = new JsonObject() });
        cluster.Seed(new JsonObject { ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "web-config", ["namespace"] = "production" } });
        // Transient and not production: the attacker sets the flags; ownership still protects.
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", environment: "production", transient: true, payload: new JsonObject { ["target"] = "review" }), Api)
            .Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig());
        sandbox.WriteWorkspaceFile(".github/deploy.yml", "review:\n  environment: pr${{ pr }}\n  runner:\n    namespace: \"{environment}\"\n    manifests: [k8s/]\n    remove-namespace: true\n");
        sandbox.WriteWorkspaceFile("k8s/app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\n");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Empty(cluster.Deleted);
        Assert.DoesNotContain(cluster.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("::warning title=Objects kept::", StringComparison.Ordinal) && l.Contains("configmap/web-config in namespace production, deployment/web in namespace production", StringComparison.Ordinal));
    }
}
