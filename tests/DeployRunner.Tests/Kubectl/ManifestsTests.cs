using DeployRunner.Handlers.Kubectl;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Tests.Kubectl;

public sealed class ManifestsTests
{
    [Fact]
    public void Multi_document_yaml_gives_one_object_per_document_and_skips_empty_ones()
    {
        var objects = Manifests.Read("""
            ---
            # only a comment
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: shop
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            ---
            """, "app.yaml");

        Assert.Equal(["deployment/web", "service/web"], objects.Select(o => o.Reference));
        Assert.Equal("shop", objects[0].Namespace);
        Assert.Null(objects[1].Namespace);
        Assert.True(objects[0].HasRollout);
        Assert.False(objects[1].HasRollout);
    }

    [Fact]
    public void A_list_is_read_as_its_items()
    {
        var objects = Manifests.Read("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
            - {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: b}}
            """, "list.yaml");

        Assert.Equal(["configmap/a", "statefulset/b"], objects.Select(o => o.Reference));
        Assert.True(objects[1].HasRollout);
    }

    [Fact]
    public void Json_manifests_are_yaml_too() =>
        Assert.Equal("daemonset/agent", Assert.Single(Manifests.Read("""{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"}}""", "a.json")).Reference);

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n", "bad.yaml:5:")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n  metadata: x\n", "bad.yaml:")]
    public void Invalid_yaml_names_the_file_and_line(string yaml, string prefix)
    {
        var error = Assert.Throws<ConfigurationException>(() => Manifests.Read(yaml, "bad.yaml"));
        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", error.Message);
    }

    [Theory]
    [InlineData("kind: ConfigMap\nmetadata: {name: a}\n", "has no `apiVersion`")]
    [InlineData("apiVersion: v1\nmetadata: {name: a}\n", "has no `kind`")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n", "has no `metadata.name`")]
    [InlineData("- just\n- a list\n", "must be a mapping")]
    public void An_object_must_say_what_it_is(string yaml, string message) =>
        Assert.Contains(message, Assert.Throws<ConfigurationException>(() => Manifests.Read(yaml, "x.yaml")).Message);

    [Fact]
    public void Rendering_keeps_what_kubectl_would_have_read()
    {
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              enabled: "yes"
              port: "8080"
              version: '1.10'
              note: |
                two
                lines
            """;

        var rendered = Manifests.Render(Manifests.Read(yaml + "\n", "c.yaml"));

        var reread = new YamlStream();
        reread.Load(new StringReader(rendered));
        var data = (YamlMappingNode)((YamlMappingNode)reread.Documents.Single().RootNode)["data"];
        Assert.Equal("yes", ((YamlScalarNode)data["enabled"]).Value);
        Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, ((YamlScalarNode)data["enabled"]).Style);
        Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, ((YamlScalarNode)data["port"]).Style);
        Assert.Equal("1.10", ((YamlScalarNode)data["version"]).Value);
        Assert.Equal("two\nlines\n", ((YamlScalarNode)data["note"]).Value);
        Assert.StartsWith("---\n", rendered, StringComparison.Ordinal);
    }
}
