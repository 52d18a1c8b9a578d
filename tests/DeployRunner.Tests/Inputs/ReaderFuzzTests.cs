using System.Text.Json;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.Tests.Inputs;

/// <summary>
/// Every YAML and JSON reader of the runner, fed real files cut short and mutated (seeded, so a
/// failure replays): each outcome is a value or a configuration error that says where (file, line,
/// column where the format has them), never another exception, which the runner would report as a
/// fault without the file or the place.
/// </summary>
public sealed class ReaderFuzzTests
{
    private const int Seed = 21;
    private const int MutantsPerFile = 150;

    /// <summary>What <c>kubectl get ... -o json</c> prints: a List of marked objects.</summary>
    private const string KubectlList = """
        {
          "apiVersion": "v1",
          "kind": "List",
          "items": [
            {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "metadata": {
                "name": "web",
                "namespace": "pr-17",
                "uid": "0b6f0d4e-2f43-4f8e-9d9e-1f1e1f1e1f1e",
                "labels": { "app.kubernetes.io/managed-by": "deliverybot-runner", "deliverybot-runner/environment": "3f2a" },
                "annotations": { "deliverybot-runner/environment": "pr17" }
              },
              "spec": { "template": { "spec": { "containers": [ { "name": "web", "image": "nginx:1.27" } ] } } }
            }
          ]
        }
        """;

    [Fact]
    public void Deploy_yml_mutants_are_values_or_errors_located_in_the_file()
    {
        var failures = new List<string>();
        foreach (var (name, text) in HostileCorpus.DeployYml)
        {
            foreach (var mutant in HostileText.Mutants(name, text, Seed, MutantsPerFile))
            {
                Check(mutant, failures, () => DeployConfig.Parse(mutant.Text, ".github/deploy.yml").FindTarget(null, "production"), message =>
                    message.StartsWith(".github/deploy.yml:", StringComparison.Ordinal) || message.Contains(".github/deploy.yml", StringComparison.Ordinal));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Manifest_mutants_are_values_or_errors_located_in_the_file()
    {
        var failures = new List<string>();
        Assert.NotEmpty(HostileCorpus.Manifests);
        foreach (var (name, text) in HostileCorpus.Manifests)
        {
            foreach (var mutant in HostileText.Mutants(name, text, Seed, MutantsPerFile))
                Check(mutant, failures, () => Manifests.Read(mutant.Text, "k8s/app.yaml"), message => message.StartsWith("k8s/app.yaml", StringComparison.Ordinal));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Kubeconfig_mutants_are_values_or_errors_naming_the_input()
    {
        var failures = new List<string>();
        foreach (var mutant in HostileText.Mutants("kubeconfig", HostileCorpus.Kubeconfig, Seed, MutantsPerFile * 2))
            Check(mutant, failures, () => Kubeconfig.Parse(mutant.Text, null), message => message.Contains("kubeconfig", StringComparison.Ordinal));

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Event_mutants_are_values_or_errors_naming_the_file_and_the_place()
    {
        var failures = new List<string>();
        Assert.True(HostileCorpus.Events.Count >= 3, "the examples' events at least");
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.True(HostileCorpus.SharedFixtures is not null, "CI must provide shared/fixtures beside the repository.");
        foreach (var (name, text) in HostileCorpus.Events)
        {
            foreach (var mutant in HostileText.Mutants(name, text, Seed, MutantsPerFile))
            {
                Check(mutant, failures, () =>
                {
                    var root = DeploymentEventReader.ParseRoot(mutant.Text, "event.json");
                    _ = (RunnerEvent.RepositoryOf(root, null), RunnerEvent.Read(root, "event.json", eventName: null, deploymentId: null));
                }, message =>
                    message.Contains("event.json", StringComparison.Ordinal)
                    && (!message.Contains("not valid JSON", StringComparison.Ordinal) || (message.Contains("line ", StringComparison.Ordinal) && message.Contains("column ", StringComparison.Ordinal))));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Kubectl_json_mutants_never_throw_past_the_readers()
    {
        var failures = new List<string>();
        var mark = new OwnershipMark("pr17");
        foreach (var mutant in HostileText.Mutants("kubectl-get.json", KubectlList, Seed, MutantsPerFile * 2))
        {
            try
            {
                _ = ManagedNamespace.IsOurs(mutant.Text, "pr17");
                foreach (var item in KubectlJson.Items(mutant.Text)) _ = (mark.Of(item), OwnershipMark.EnvironmentOf(item));
            }
            catch (JsonException)
            {
                // Not JSON: the handler reports it as kubectl output it cannot read.
            }
            catch (Exception e)
            {
                failures.Add($"{mutant.Name}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void The_unclosed_flow_list_of_the_report_is_a_located_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeployConfig.Parse("production:\n  runner:\n    hosts: [a, b\n    script: x\n", ".github/deploy.yml"));

        Assert.Matches(@"^\.github/deploy\.yml:\d+:\d+: the file is not valid YAML", error.Message);
        Assert.DoesNotContain("Operation is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fuzzer_is_deterministic()
    {
        var (name, text) = HostileCorpus.DeployYml[1];
        Assert.Equal(HostileText.Mutants(name, text, Seed, 20).Select(m => m.Text), HostileText.Mutants(name, text, Seed, 20).Select(m => m.Text));
    }

    private static void Check(HostileText.Mutant mutant, List<string> failures, Action read, Func<string, bool> located)
    {
        try
        {
            read();
        }
        catch (ConfigurationException e)
        {
            if (!located(e.Message)) failures.Add($"{mutant.Name}: not located: {e.Message}");
        }
        catch (Exception e)
        {
            failures.Add($"{mutant.Name}: {e.GetType().Name}: {e.Message}");
        }
    }
}
