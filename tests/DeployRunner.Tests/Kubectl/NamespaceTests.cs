using System.Text.Json.Nodes;
using DeployRunner.Handlers.Kubectl;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Tests.Kubectl;

public sealed class NamespaceTests
{
    [Theory]
    [InlineData("pr-42", true)]
    [InlineData("a", true)]
    [InlineData("0abc", true)]
    [InlineData("PR-42", false)]
    [InlineData("pr_42", false)]
    [InlineData("-pr", false)]
    [InlineData("pr-", false)]
    [InlineData("pr.42", false)]
    [InlineData("pr-42\n", false)]
    [InlineData("", false)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123", true)]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", false)]
    public void A_namespace_must_be_a_dns_label(string name, bool valid) =>
        Assert.Equal(valid, KubectlSettings.IsDnsLabel(name));

    [Theory]
    [InlineData("pr-17", "pr/17")]
    [InlineData("pr-17", "pr_17")]
    [InlineData("pr-17", "PR-17")]
    [InlineData("staging", "staging ")]
    [InlineData("", "äöü")]
    public void Two_environment_names_that_would_sanitize_alike_get_different_label_values(string one, string other)
    {
        Assert.NotEqual(new OwnershipMark(one).LabelValue, new OwnershipMark(other).LabelValue);
        Assert.Matches("^[0-9a-f]{40}$", new OwnershipMark(other).LabelValue);
    }

    [Fact]
    public void The_namespace_manifest_keeps_a_hostile_environment_name_as_data()
    {
        const string environment = "pr-1\"\n  evil: true\n---\nkind: ClusterRoleBinding";

        var yaml = ManagedNamespace.Manifest("pr-1", environment);

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
        var metadata = (YamlMappingNode)root["metadata"];
        Assert.Equal("pr-1", ((YamlScalarNode)metadata["name"]).Value);
        Assert.Equal(environment, ((YamlScalarNode)((YamlMappingNode)metadata["annotations"])["deliverybot-runner/environment"]).Value);
        var labels = (YamlMappingNode)metadata["labels"];
        Assert.Equal(2, labels.Children.Count);
        Assert.Equal("deliverybot-runner", ((YamlScalarNode)labels["app.kubernetes.io/managed-by"]).Value);
    }

    [Theory]
    [InlineData("pr-1", "pr-1", true)]
    [InlineData("pr-1", "pr/1", false)]
    [InlineData("pr/1", "pr-1", false)]
    [InlineData("pr-2", "pr-2", false)]
    [InlineData(null, "pr-1", false)]
    public void Only_a_namespace_marked_by_us_for_this_exact_environment_is_ours(string? labelledFor, string annotated, bool ours)
    {
        var labels = new JsonObject { ["app.kubernetes.io/managed-by"] = "deliverybot-runner" };
        if (labelledFor is not null) labels["deliverybot-runner/environment"] = new OwnershipMark(labelledFor).LabelValue;
        var json = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels, ["annotations"] = new JsonObject { ["deliverybot-runner/environment"] = annotated } } };
        Assert.Equal(ours, ManagedNamespace.IsOurs(json.ToJsonString(), "pr-1"));
    }

    [Theory]
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"deliverybot-runner","deliverybot-runner/environment":"pr-1"},"annotations":{"deliverybot-runner/environment":"pr-1"}}}""")]
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"deliverybot-runner"}}}""")]
    [InlineData("""{"metadata":{"name":"pr-1"}}""")]
    [InlineData("not json")]
    public void A_namespace_with_the_old_sanitized_label_or_no_mark_is_not_ours(string json) =>
        Assert.False(ManagedNamespace.IsOurs(json, "pr-1"));

    [Fact]
    public void Without_the_managed_by_label_even_the_right_hash_and_name_are_not_ours()
    {
        var json = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "helm", ["deliverybot-runner/environment"] = new OwnershipMark("pr-1").LabelValue },
                ["annotations"] = new JsonObject { ["deliverybot-runner/environment"] = "pr-1" },
            },
        };
        Assert.False(ManagedNamespace.IsOurs(json.ToJsonString(), "pr-1"));
    }

    [Fact]
    public void Stamping_replaces_a_label_the_manifest_already_sets_instead_of_doubling_the_key()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app.kubernetes.io/managed-by: helm\n    app: web\n"));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;

        new OwnershipMark("pr-1").Stamp(root);

        var labels = (YamlMappingNode)((YamlMappingNode)root["metadata"])["labels"];
        Assert.Equal(3, labels.Children.Count);
        Assert.Equal("deliverybot-runner", ((YamlScalarNode)labels["app.kubernetes.io/managed-by"]).Value);
        Assert.Equal("web", ((YamlScalarNode)labels["app"]).Value);
        Assert.Equal("pr-1", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)root["metadata"])["annotations"])["deliverybot-runner/environment"]).Value);
    }
}
