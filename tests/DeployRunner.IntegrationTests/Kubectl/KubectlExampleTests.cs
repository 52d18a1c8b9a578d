using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The review-app example (examples/workflows/kubectl-review-app.yml and examples/kubectl-review-app/)
/// runs as written: its step's inputs, with the workflow expressions filled in as GitHub would,
/// deploy a pull request's namespace and remove it again.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlExampleTests
{
    [Fact(Timeout = 120_000)]
    public async Task The_review_app_example_deploys_a_namespace_per_pull_request_and_removes_it()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        CopyExample(scenario.Workspace);
        var inputs = ExampleInputs(scenario.Cluster.Kubeconfig());
        inputs["rollout-timeout"] = "20s";

        var deployed = await scenario.RunAsync(inputs, environment: "pr17");

        Assert.Equal(["in_progress", "success"], deployed.States);
        var ns = scenario.Cluster.Find("Namespace", null, "pr17");
        Assert.NotNull(ns);
        Assert.Equal("deliverybot-runner", (string?)ns["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        var deployment = scenario.Cluster.Find("Deployment", "pr17", "web");
        Assert.NotNull(deployment);
        Assert.Equal($"ghcr.io/octocat/hello-world:{KubectlScenario.Sha}", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("hello-world-review", (string?)deployment["metadata"]!["labels"]!["app.kubernetes.io/part-of"]);
        Assert.NotNull(scenario.Cluster.Find("Service", "pr17", "web"));
        var ingress = scenario.Cluster.Find("Ingress", "pr17", "web");
        Assert.NotNull(ingress);
        Assert.Equal("pr17.review.example.com", (string?)ingress["spec"]!["rules"]![0]!["host"]);
        Assert.Contains("Review app for feature/review is at https://pr17.review.example.com", deployed.Log);

        var removed = await scenario.RunAsync(inputs, task: "remove", environment: "pr17");

        Assert.Equal(["in_progress", "inactive"], removed.States);
        Assert.Null(scenario.Cluster.Find("Namespace", null, "pr17"));
        Assert.Null(scenario.Cluster.Find("Ingress", "pr17", "web"));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_review_app_example_refuses_an_environment_that_is_no_namespace_name()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        CopyExample(scenario.Workspace);

        var inputs = ExampleInputs(scenario.Cluster.Kubeconfig());

        var refusal = await Assert.ThrowsAsync<ConfigurationException>(() => scenario.RunAsync(inputs, environment: "PR_17"));

        Assert.Contains("Input `namespace` 'PR_17' is not a valid namespace name", refusal.Message);
        Assert.Empty(scenario.Cluster.Requests);
    }

    /// <summary>The example step's <c>with:</c>, with the secret GitHub would fill in.</summary>
    internal static Dictionary<string, string> ExampleInputs(string kubeconfig)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(WebhookEvents.ExamplesDirectory, "workflows", "kubectl-review-app.yml"))) stream.Load(reader);
        var step = stream.Documents[0].AllNodes.OfType<YamlMappingNode>()
            .Single(m => m.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value == "deliverybot/runner@v1");
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in (YamlMappingNode)step.Children[new YamlScalarNode("with")])
        {
            var text = ((YamlScalarNode)value).Value!.Replace("${{ secrets.KUBECONFIG }}", kubeconfig, StringComparison.Ordinal);
            Assert.DoesNotContain("${{", text);
            inputs[((YamlScalarNode)key).Value!] = text;
        }

        return inputs;
    }

    internal static void CopyExample(string workspace)
    {
        var source = Path.Combine(WebhookEvents.ExamplesDirectory, "kubectl-review-app");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(workspace, "examples", "kubectl-review-app", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
