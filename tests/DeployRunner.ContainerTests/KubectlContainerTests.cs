using DeployRunner.ContainerTests.Infrastructure;

namespace DeployRunner.ContainerTests;

/// <summary>
/// The kubectl handler inside the image: the image's pinned kubectl applies manifests from the
/// mounted workspace to a fake Kubernetes API on loopback (HTTPS, the kubeconfig's CA) and waits
/// for the rollout.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class KubectlContainerTests(ImageFixture image)
{
    private const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: localhost:5000/acme/web:latest
        """;

    [Fact(Timeout = 180_000)]
    public async Task I_can_deploy_manifests_with_the_images_kubectl_and_see_the_rollout_succeed()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent(environment: "pr-3"));
        Directory.CreateDirectory(Path.Combine(layout.Workspace, "k8s"));
        File.WriteAllText(Path.Combine(layout.Workspace, "k8s", "app.yaml"), Manifest);
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string>
        {
            ["handler"] = "kubectl",
            ["kubeconfig"] = cluster.Kubeconfig(),
            ["namespace"] = "pr-3",
            ["manifests"] = "k8s/",
            ["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:3f2a1b0",
            ["rollout-timeout"] = "30s",
        }, inContainer: true);

        var result = await new ActionContainer(image.Image, layout, variables).RunAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, ActionContainer.Describe(result));
        Assert.Equal(["in_progress", "success"], api.States);
        Assert.Equal("localhost:5000/acme/web:3f2a1b0", (string?)cluster.Find("Deployment", "pr-3", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"rolled out\"", layout.Outputs()["results"]);
    }
}
