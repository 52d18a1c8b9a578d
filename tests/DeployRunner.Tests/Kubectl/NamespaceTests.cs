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
    [InlineData("pr-17", "pr-17")]
    [InlineData("Review PR #17", "Review-PR--17")]
    [InlineData("  --staging/eu--  ", "staging-eu")]
    [InlineData("::error::x", "error--x")]
    [InlineData("äöü", "")]
    public void The_environment_label_is_a_valid_label_value(string environment, string label) =>
        Assert.Equal(label, ManagedNamespace.LabelValue(environment));

    [Fact]
    public void A_long_environment_name_is_cut_to_63_characters_ending_in_a_letter_or_digit()
    {
        var label = ManagedNamespace.LabelValue(new string('a', 62) + "-b");
        Assert.Equal(new string('a', 62), label);
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
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"deliverybot-runner","deliverybot-runner/environment":"pr-1"}}}""", true)]
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"deliverybot-runner","deliverybot-runner/environment":"pr-2"}}}""", false)]
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"deliverybot-runner"}}}""", false)]
    [InlineData("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"helm","deliverybot-runner/environment":"pr-1"}}}""", false)]
    [InlineData("""{"metadata":{"name":"pr-1"}}""", false)]
    [InlineData("not json", false)]
    public void Only_a_namespace_labelled_by_us_for_this_environment_is_ours(string json, bool ours) =>
        Assert.Equal(ours, ManagedNamespace.IsOurs(json, "pr-1"));
}
