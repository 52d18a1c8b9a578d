using System.Text;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Handlers.Kubectl;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Inputs;

/// <summary>Hostile YAML and JSON are refused by their structure, before any tree is walked.</summary>
public sealed class HostileStructureTests
{
    /// <summary>745 bytes: ten levels of merge keys, each pulling in the previous level ten times (10^10 nodes when walked).</summary>
    public static string MergeKeyBomb()
    {
        var yaml = new StringBuilder("d0: &d0 {a: 1}\n");
        for (var i = 1; i <= 10; i++)
            yaml.Append($"d{i}: &d{i} {{<<: [{string.Join(", ", Enumerable.Repeat($"*d{i - 1}", 10))}]}}\n");
        return yaml + "production:\n  runner:\n    <<: *d10\n";
    }

    public static string AliasBomb()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
            yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return yaml.ToString();
    }

    public static string DeepYaml(int depth = 100_000) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void A_merge_key_bomb_in_deploy_yml_is_refused_naming_the_limit()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeployConfig.Parse(MergeKeyBomb(), ".github/deploy.yml"));

        Assert.Contains("250,000 nodes once aliases and merge keys are expanded", error.Message);
        Assert.StartsWith(".github/deploy.yml:", error.Message);
    }

    [Fact]
    public void Deep_nesting_in_deploy_yml_is_refused_without_exhausting_the_stack()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeployConfig.Parse(DeepYaml(), ".github/deploy.yml"));

        Assert.Contains("nesting deeper than the limit of 100 levels", error.Message);
    }

    [Fact]
    public void An_alias_bomb_in_a_manifest_is_refused_naming_the_file()
    {
        var error = Assert.Throws<ConfigurationException>(() => Manifests.Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  " + AliasBomb().Replace("\n", "\n  ", StringComparison.Ordinal), "k8s/bomb.yaml"));

        Assert.StartsWith("k8s/bomb.yaml:", error.Message);
        Assert.Contains("an alias bomb?", error.Message);
    }

    [Fact]
    public void Deep_nesting_in_a_manifest_is_refused() =>
        Assert.Contains("nesting deeper", Assert.Throws<ConfigurationException>(() => Manifests.Read(DeepYaml(), "k8s/deep.yaml")).Message);

    [Fact]
    public void A_hostile_kubeconfig_is_refused_without_quoting_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => Kubeconfig.Parse("apiVersion: v1\n" + AliasBomb(), null));

        Assert.StartsWith("Input `kubeconfig` is refused as hostile YAML:", error.Message);
        Assert.DoesNotContain("*a", error.Message);
    }

    [Fact]
    public void Ordinary_anchors_and_merge_keys_are_still_read()
    {
        var config = DeployConfig.Parse("defaults: &defaults\n  runner:\n    timeout: 10m\nproduction:\n  <<: *defaults\nstaging:\n  <<: *defaults\n", ".github/deploy.yml");

        Assert.Equal(3, config.Targets.Count); // defaults, production, staging
    }

    [Fact]
    public void Nesting_at_the_limit_is_read_and_one_level_more_is_refused()
    {
        YamlLimits.Check(DeepYaml(YamlLimits.MaxDepth));
        Assert.Throws<YamlLimitException>(() => YamlLimits.Check(DeepYaml(YamlLimits.MaxDepth + 1)));
    }

    [Fact]
    public void An_event_nested_100000_levels_deep_is_refused_as_hostile_json()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeploymentEventReader.ParseRoot(new string('[', 100_000), "event.json"));

        Assert.Contains("nests deeper than the limit of 256 levels", error.Message);
    }

    [Fact]
    public void An_event_at_the_json_depth_limit_is_read_and_one_level_more_is_refused_as_too_deep()
    {
        static string Nested(int levels) => new string('[', levels) + new string(']', levels);

        Assert.Throws<ConfigurationException>(() => DeploymentEventReader.ParseRoot(Nested(JsonLimits.MaxDepth), "event.json")); // read, but an array is no event
        Assert.False(JsonLimits.IsTooDeep(Nested(JsonLimits.MaxDepth)));
        Assert.True(JsonLimits.IsTooDeep(Nested(JsonLimits.MaxDepth + 1)));
        var error = Assert.Throws<ConfigurationException>(() => DeploymentEventReader.ParseRoot("{\"a\":" + Nested(JsonLimits.MaxDepth), "event.json"));
        Assert.Contains("nests deeper than the limit of 256 levels", error.Message);
    }

    [Fact]
    public void Broken_json_that_is_not_deep_is_a_syntax_error_not_the_depth_limit()
    {
        var error = Assert.Throws<ConfigurationException>(() => DeploymentEventReader.ParseRoot("{\"a\": [1, }" + new string('[', 10), "event.json"));

        Assert.Contains("is not valid JSON", error.Message);
        Assert.False(JsonLimits.IsTooDeep("{\"a\": [1, }" + new string('[', 1000)));
    }

    [Fact]
    public void A_payload_nested_100_levels_deep_is_read_and_handed_on_whole()
    {
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);
        var json = $"{{\"deployment\":{{\"id\":5,\"environment\":\"production\",\"payload\":{{\"deep\":{nested},\"also\":\"{nested.Replace("\"", "\\\"", StringComparison.Ordinal)}\"}}}}}}";

        var deployment = DeploymentEventReader.Parse(json).Deployment;

        Assert.Contains(nested, deployment.Payload.ToScriptValue(), StringComparison.Ordinal);
    }
}
