using DeployRunner.IntegrationTests.FirstHour;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// A kustomization reads only the workspace and, unless input <c>kustomize-remote</c> allows it,
/// nothing from the network; a dry run fetches nothing even then. The built runner with the real
/// kubectl, and a web server on loopback that records whether kustomize asked it.
/// </summary>
public sealed class KustomizeRestrictionTests : FakeApiTest
{
    private const string ConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {0}\ndata:\n  key: value\n";

    private RunnerSandbox Sandbox(string kustomization, bool dryRun)
    {
        var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "kubectl")
            .Input("kubeconfig", LocalRun.Kubeconfig())
            .Input("manifests", "k8s")
            .Input("dry-run", dryRun ? "true" : "false");
        sandbox.WriteWorkspaceFile("k8s/kustomization.yaml", kustomization);
        sandbox.WriteWorkspaceFile("k8s/local.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "local"));
        return sandbox;
    }

    /// <summary>A kustomization folder beside the workspace, as <c>../../outside</c> from k8s/ finds it.</summary>
    private static void PlantOutside(RunnerSandbox sandbox)
    {
        var outside = Directory.CreateDirectory(Path.Combine(sandbox.Root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "kustomization.yaml"), "resources: [cm.yaml]\n");
        File.WriteAllText(Path.Combine(outside, "cm.yaml"), string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "outside-secret"));
    }

    private static string AssertOneError(RunnerResult result)
    {
        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", result.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Runner fault", result.Log, StringComparison.Ordinal);
        return error;
    }

    [Fact(Timeout = 60_000)]
    public async Task A_base_outside_the_workspace_and_a_url_are_refused_before_any_status_and_nothing_is_fetched()
    {
        await using var server = await RecordingServer.StartAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "remote"));
        using var sandbox = Sandbox($"resources:\n- local.yaml\n- ../../outside\n- {server.BaseUrl}/remote.yaml\n", dryRun: false);
        PlantOutside(sandbox);

        var result = await sandbox.RunAsync();

        var error = AssertOneError(result);
        Assert.Contains("k8s/kustomization.yaml:3:3", error, StringComparison.Ordinal);
        Assert.Contains("outside the workspace", error, StringComparison.Ordinal);
        Assert.DoesNotContain("outside-secret", result.Log, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Equal(["error"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_refuses_a_remote_resource_without_fetching_it()
    {
        await using var server = await RecordingServer.StartAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "remote"));
        using var sandbox = Sandbox($"resources:\n- local.yaml\n- {server.BaseUrl}/remote.yaml\n", dryRun: true);

        var result = await sandbox.RunAsync();

        var error = AssertOneError(result);
        Assert.Contains("k8s/kustomization.yaml:3:3", error, StringComparison.Ordinal);
        Assert.Contains("kustomize-remote", error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Empty(Api.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_kustomize_remote_a_dry_run_still_fetches_nothing_and_says_what_it_did_not_build()
    {
        await using var server = await RecordingServer.StartAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "remote"));
        using var sandbox = Sandbox($"resources:\n- local.yaml\n- {server.BaseUrl}/remote.yaml\n", dryRun: true).Input("kustomize-remote", "true");
        sandbox.WriteWorkspaceFile("plain/app.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "plain"));
        sandbox.Input("manifests", "plain/app.yaml\nk8s");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains($"k8s (kustomize) is not built in a dry run: it fetches {server.BaseUrl}/remote.yaml.", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("  configmap/plain from plain/app.yaml", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(server.Requests);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("resources:\n- github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0\n", "remote")]
    [InlineData("resources:\n- git@github.com:acme/deploy.git//base\n", "remote")]
    [InlineData("components:\n- https://example.com/component.yaml\n", "remote")]
    [InlineData("patches:\n- path: http://127.0.0.1:9/patch.yaml\n", "remote")]
    [InlineData("configMapGenerator:\n- name: x\n  files:\n  - key=https://example.com/secret.txt\n", "remote")]
    [InlineData("resources:\n- /etc/kubernetes/admin.yaml\n", "absolute path")]
    [InlineData("helmCharts:\n- name: redis\n  repo: https://charts.example.com\n  version: 1.0.0\n", "Helm charts are not built")]
    [InlineData("bases:\n- ../../outside\n", "outside the workspace")]
    public async Task What_kustomize_would_fetch_or_read_from_outside_is_refused(string kustomization, string expected)
    {
        using var sandbox = Sandbox(kustomization, dryRun: true);
        PlantOutside(sandbox);

        var result = await sandbox.RunAsync();

        var error = AssertOneError(result);
        Assert.Contains("k8s/kustomization.yaml:", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_generator_file_linked_out_of_the_workspace_is_refused()
    {
        using var sandbox = Sandbox("configMapGenerator:\n- name: leak\n  files:\n  - secret.txt\n", dryRun: true);
        PlantOutside(sandbox);
        File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "k8s", "secret.txt"), Path.Combine(sandbox.Root, "outside", "cm.yaml"));

        var result = await sandbox.RunAsync();

        var error = AssertOneError(result);
        Assert.Contains("k8s/kustomization.yaml:4:5", error, StringComparison.Ordinal);
        Assert.DoesNotContain("outside-secret", result.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_base_inside_the_workspace_is_built_as_before()
    {
        using var sandbox = Sandbox("resources:\n- local.yaml\n- ../base\n", dryRun: true);
        sandbox.WriteWorkspaceFile("base/kustomization.yaml", "resources: [cm.yaml]\n");
        sandbox.WriteWorkspaceFile("base/cm.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, ConfigMap, "from-base"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.Contains("configmap/from-base", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(result.Lines, l => l.Contains("configmap/local", StringComparison.OrdinalIgnoreCase));
    }
}
