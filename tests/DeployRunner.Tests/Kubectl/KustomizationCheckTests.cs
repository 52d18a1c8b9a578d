using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.Tests.Kubectl;

public sealed class KustomizationCheckTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("kustomization-check-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("https://example.com/app.yaml", true)]
    [InlineData("http://127.0.0.1:8080/app.yaml", true)]
    [InlineData("github.com/acme/deploy//base?ref=v1", true)]
    [InlineData("gitlab.example.org:8443/acme/deploy", true)]
    [InlineData("git@github.com:acme/deploy.git", true)]
    [InlineData("git::https://example.com/repo", true)]
    [InlineData("file:///etc/kubernetes", true)]
    [InlineData("../base", false)]
    [InlineData("./github.com/acme/deploy", false)]
    [InlineData("base.v2/deployment.yaml", false)]
    [InlineData("deployment.yaml", false)]
    public void Remote_references_are_told_from_local_ones(string reference, bool remote) =>
        Assert.Equal(remote, KustomizationCheck.IsRemote(reference));

    [Fact]
    public void Two_bases_naming_each_other_are_a_loop_not_a_hang()
    {
        Write("a/kustomization.yaml", "resources: [../b]\n");
        Write("b/kustomization.yaml", "resources: [../a]\n");

        var error = Assert.Throws<ConfigurationException>(() => KustomizationCheck.Check(Path.Combine(_workspace, "a"), _workspace, allowRemote: false));

        Assert.Contains("a loop of kustomizations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_remote_references_are_returned_for_the_dry_run_to_name()
    {
        Write("k8s/kustomization.yaml", "resources:\n- app.yaml\n- ../base\n");
        Write("k8s/app.yaml", "kind: ConfigMap\n");
        Write("base/kustomization.yaml", "resources: [https://example.com/x.yaml]\npatchesStrategicMerge:\n- |-\n  kind: ConfigMap\n  metadata: {name: x}\n");

        Assert.Equal(["https://example.com/x.yaml"], KustomizationCheck.Check(Path.Combine(_workspace, "k8s"), _workspace, allowRemote: true));
    }

    [Fact]
    public void Invalid_yaml_in_a_kustomization_is_located()
    {
        Write("k8s/kustomization.yaml", "resources: [a.yaml\nnamePrefix: x\n");

        var error = Assert.Throws<ConfigurationException>(() => KustomizationCheck.Check(Path.Combine(_workspace, "k8s"), _workspace, allowRemote: false));

        Assert.Matches(@"^k8s/kustomization\.yaml:\d+:\d+: invalid YAML", error.Message);
    }
}
