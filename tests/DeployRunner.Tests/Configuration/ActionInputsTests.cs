using DeployRunner.Configuration;
using DeployRunner.Edge;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Tests.Configuration;

/// <summary>Every input in action.yml has decided where it may be set (PublicFaceTests checks README and src).</summary>
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

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "action.yml"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("action.yml not found above the test assembly.");
    }
}
