using DeployRunner.Configuration;
using DeployRunner.Edge;

namespace DeployRunner.Tests.Configuration;

/// <summary>Every input in action.yml has decided where it may be set (PublicFaceTests checks README and src).</summary>
public sealed class ActionInputsTests
{
    private static IReadOnlyList<string> ActionInputs() => ActionMetadata.Inputs.Select(input => input.Name).ToList();

    [Fact]
    public void Every_action_input_says_where_it_may_be_set()
    {
        var unclassified = ActionInputs().Where(name => SettingCatalog.KindOf(name) is null).ToList();

        Assert.True(unclassified.Count == 0, $"Add these inputs to SettingCatalog (setting, secret or workflow-only): {string.Join(", ", unclassified)}");
    }
}
