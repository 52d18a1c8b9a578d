namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>Bad input is one clear line, found before anything reaches the cluster.</summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlBadInputTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("kubeconfig", "", "Input `kubeconfig` is required")]
    [InlineData("kubeconfig", "apiVersion: v1\nclusters: [unclosed", "Input `kubeconfig` is not valid YAML (line ")]
    [InlineData("kubeconfig", "bm90IGEga3ViZWNvbmZpZw==", "neither kubeconfig YAML nor base64 of it")]
    [InlineData("kube-context", "staging", "Input `kube-context` names 'staging', which the kubeconfig does not have. Its contexts: fake.")]
    [InlineData("namespace", "PR_17", "Input `namespace` 'PR_17' is not a valid namespace name")]
    [InlineData("namespace", "pr-1; kubectl delete ns --all", "is not a valid namespace name")]
    [InlineData("manifests", "k8s/missing.yaml", "Input `manifests`: 'k8s/missing.yaml' does not exist in the workspace")]
    [InlineData("manifests", "k8s/*.yml", "the pattern 'k8s/*.yml' matches no file")]
    [InlineData("images", "web", "'web' is not NAME=IMAGE")]
    [InlineData("images", "web:1=web:2", "'web:1' names a tag or digest")]
    [InlineData("rollout-timeout", "soon", "Input `rollout-timeout` must be a duration")]
    [InlineData("remove-namespace", "maybe", "Input `remove-namespace` must be `true` or `false`")]
    [InlineData("atomic", "yes please", "Input `atomic` must be `true` or `false`")]
    public async Task A_bad_input_is_refused_with_one_clear_line_and_nothing_reaches_the_cluster(string input, string value, string message)
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var inputs = scenario.Inputs();
        inputs[input] = value;

        var refusal = scenario.Refuse(inputs);

        Assert.Contains(message, refusal.Message);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.Empty(scenario.Cluster.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task Invalid_yaml_in_a_manifest_is_refused_with_its_file_and_line()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        scenario.Write("k8s/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {a: [}\n");

        var refusal = scenario.Refuse(scenario.Inputs());

        Assert.StartsWith("k8s/broken.yaml:5:", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", refusal.Message);
        Assert.Empty(scenario.Cluster.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_manifest_without_a_name_is_refused()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n");

        var refusal = scenario.Refuse(scenario.Inputs());

        Assert.Equal("k8s/app.yaml:1: the ConfigMap has no `metadata.name` (generateName is not supported: the runner must know what it applied).", refusal.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Kubectl_missing_from_PATH_is_refused()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", KubectlDeployTests.App);
        var environment = KubectlScenario.JobEnvironment();
        environment["PATH"] = "/nonexistent/bin";

        var refusal = scenario.Refuse(scenario.Inputs(), environment);

        Assert.StartsWith("The kubectl handler needs `kubectl` and `setsid` on PATH", refusal.Message, StringComparison.Ordinal);
    }
}
