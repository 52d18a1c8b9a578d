using DeployRunner.Configuration;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Tests.Configuration;

/// <summary>The public face agrees with the code: action.yml, the setting catalog and the README.</summary>
public sealed class ActionInputsTests
{
    private static readonly string Root = FindRoot();

    private static IReadOnlyList<string> ActionInputs()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "action.yml"))));
        var inputs = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("inputs")];
        return inputs.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
    }

    [Fact]
    public void Every_action_input_says_where_it_may_be_set()
    {
        var unclassified = ActionInputs().Where(name => SettingCatalog.KindOf(name) is null).ToList();

        Assert.True(unclassified.Count == 0, $"Add these inputs to SettingCatalog (setting, secret or workflow-only): {string.Join(", ", unclassified)}");
    }

    [Theory]
    [InlineData("config")]
    [InlineData("payload-overrides")]
    [InlineData("skip-superseded")]
    [InlineData("deployment-id")]
    public void The_environment_inputs_are_declared_and_documented(string name)
    {
        Assert.Contains(name, ActionInputs());
        Assert.Contains($"`{name}`", File.ReadAllText(Path.Combine(Root, "README.md")));
        Assert.Contains($"\"{name}\"", Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText).Where(text => text.Contains($"\"{name}\"", StringComparison.Ordinal)).FirstOrDefault() ?? "");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "action.yml"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("action.yml not found above the test assembly.");
    }
}
