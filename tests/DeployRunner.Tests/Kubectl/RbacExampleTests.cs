using DeployRunner.Handlers.Kubectl;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Tests.Kubectl;

/// <summary>examples/kubectl-rbac/rbac.yaml, which the README's kubectl setup applies, is valid and grants what a deploy does.</summary>
public sealed class RbacExampleTests
{
    private static IReadOnlyList<KubernetesObject> Objects()
    {
        var file = RepositoryFiles.Example("kubectl-rbac/rbac.yaml");
        return Manifests.Read(File.ReadAllText(file), "examples/kubectl-rbac/rbac.yaml");
    }

    private static IEnumerable<string> Strings(YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode list
            ? list.OfType<YamlScalarNode>().Select(s => s.Value!)
            : [];

    [Fact]
    public void The_rbac_example_holds_a_service_account_a_role_and_their_bindings()
    {
        var kinds = Objects().Select(o => o.Kind).ToList();

        Assert.Equal(["Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"], kinds);
    }

    [Fact]
    public void The_role_lets_the_runner_apply_watch_rollouts_and_delete_deployments()
    {
        var role = Objects().Single(o => o.Kind == "Role");
        var rules = (YamlSequenceNode)role.Node.Children[new YamlScalarNode("rules")];
        var apps = rules.Single(rule => Strings(rule, "apiGroups").Contains("apps") && Strings(rule, "resources").Contains("deployments"));

        foreach (var verb in new[] { "get", "list", "watch", "create", "patch", "delete" })
            Assert.Contains(verb, Strings(apps, "verbs"));
    }

    [Fact]
    public void Every_binding_names_the_runner_s_service_account()
    {
        var account = Objects().Single(o => o.Kind == "ServiceAccount");
        foreach (var binding in Objects().Where(o => o.Kind.EndsWith("Binding", StringComparison.Ordinal)))
        {
            var subject = (YamlMappingNode)((YamlSequenceNode)binding.Node.Children[new YamlScalarNode("subjects")])[0];
            Assert.Equal(account.Name, ((YamlScalarNode)subject.Children[new YamlScalarNode("name")]).Value);
            Assert.Equal(account.Namespace, ((YamlScalarNode)subject.Children[new YamlScalarNode("namespace")]).Value);
        }
    }
}
