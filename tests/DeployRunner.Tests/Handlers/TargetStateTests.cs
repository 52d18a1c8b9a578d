using DeployRunner.Handlers;

namespace DeployRunner.Tests.Handlers;

/// <summary>Target results are an enum with one spelling each, and the README documents every one.</summary>
public sealed class TargetStateTests
{
    [Fact]
    public void Every_target_state_has_its_own_output_name_and_the_README_documents_it()
    {
        var readme = RepositoryFiles.Read("README.md");
        var outputs = readme[readme.IndexOf("## Outputs", StringComparison.Ordinal)..];
        var names = Enum.GetValues<TargetState>().Select(s => s.ToOutputName()).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Contains($"`{name}`", outputs, StringComparison.Ordinal));
    }

    [Fact]
    public void A_cancelled_target_is_spelled_the_same_by_every_handler()
    {
        Assert.Equal("cancelled", new TargetResult("script", TargetState.Cancelled, null, TimeSpan.Zero).Result);
    }
}
