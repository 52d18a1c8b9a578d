using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Tests.Events;

/// <summary>The events the runner creates deployments from, read into their kinds, and their malformed shapes refused.</summary>
public sealed class TriggerEventTests
{
    private const string Sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    private static RunnerEvent Read(string json, string? eventName) => RunnerEvent.Read((JsonObject)JsonNode.Parse(json)!, "event.json", eventName, null);

    [Theory]
    [InlineData("push")]
    [InlineData(null)]
    public void A_push_is_read_with_its_ref_and_commit_by_name_or_by_shape(string? eventName)
    {
        var push = Assert.IsType<RunnerEvent.Pushed>(Read($$$"""{"ref":"refs/tags/v1","after":"{{{Sha}}}","pusher":{"name":"a"}}""", eventName)).Push;

        Assert.Equal(("refs/tags/v1", Sha, false), (push.Ref, push.Sha, push.Deleted));
    }

    [Fact]
    public void A_deleted_branch_is_a_push_with_nothing_to_deploy() =>
        Assert.True(Assert.IsType<RunnerEvent.Pushed>(Read("""{"ref":"refs/heads/x","after":"0000000000000000000000000000000000000000","deleted":true,"pusher":{}}""", "push")).Push.Deleted);

    [Theory]
    [InlineData("""{"after":"6113728f27ae82c7b1a177c8d03f9e96e0adf246"}""", "no `ref`")]
    [InlineData("""{"ref":"main","after":"6113728f27ae82c7b1a177c8d03f9e96e0adf246"}""", "no `ref`")]
    [InlineData("""{"ref":"refs/heads/a\nb","after":"6113728f27ae82c7b1a177c8d03f9e96e0adf246"}""", "no `ref`")]
    [InlineData("""{"ref":"refs/heads/main","after":"main"}""", "40-character commit SHA")]
    [InlineData("""{"ref":"refs/heads/main"}""", "40-character commit SHA")]
    public void A_malformed_push_is_refused_with_what_is_missing(string json, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(json, "push")).Message;

        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_dispatch_is_read_by_name_or_by_shape()
    {
        Assert.Equal("refs/heads/main", Assert.IsType<RunnerEvent.Dispatched>(Read("""{"ref":"refs/heads/main","inputs":{},"workflow":"w.yml"}""", null)).Dispatch.Ref);
        Assert.IsType<RunnerEvent.Dispatched>(Read("""{"ref":"refs/heads/main"}""", "workflow_dispatch"));
    }

    [Fact]
    public void A_deployment_id_still_wins_over_any_event() =>
        Assert.IsType<RunnerEvent.ExplicitDeployment>(RunnerEvent.Read((JsonObject)JsonNode.Parse("""{"ref":"refs/heads/main","after":"x"}""")!, "e", "push", 12));
}
