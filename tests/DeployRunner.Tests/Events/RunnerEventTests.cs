using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Tests.Events;

/// <summary>The edge reads the event once into one of three closed kinds.</summary>
public sealed class RunnerEventTests
{
    private static JsonObject Root(string json) => (JsonObject)JsonNode.Parse(json)!;

    private const string DeploymentJson = """{"deployment":{"id":7,"environment":"staging"},"repository":{"full_name":"o/r"}}""";

    private const string ClosedPullRequestJson = """{"action":"closed","number":3,"pull_request":{"number":3,"head":{"ref":"f","sha":"abc","repo":{"full_name":"o/r"}}},"repository":{"full_name":"o/r"}}""";

    [Fact]
    public void A_deployment_event_is_a_deployment_request()
    {
        var read = RunnerEvent.Read(Root(DeploymentJson), "event.json", "deployment", deploymentId: null);

        Assert.Equal(7, Assert.IsType<RunnerEvent.DeploymentRequested>(read).Deployment.Id);
    }

    [Fact]
    public void An_explicit_deployment_id_wins_over_any_event()
    {
        Assert.Equal(42, Assert.IsType<RunnerEvent.ExplicitDeployment>(RunnerEvent.Read(Root(DeploymentJson), "event.json", "deployment", 42)).Id);
        Assert.IsType<RunnerEvent.ExplicitDeployment>(RunnerEvent.Read(Root(ClosedPullRequestJson), "event.json", "pull_request", 42));
    }

    [Fact]
    public void A_closed_pull_request_is_a_teardown()
    {
        var read = RunnerEvent.Read(Root(ClosedPullRequestJson), "event.json", "pull_request", deploymentId: null);

        Assert.Equal(3, Assert.IsType<RunnerEvent.PullRequestClosed>(read).PullRequest.Number);
    }

    [Fact]
    public void The_repository_is_the_event_s_then_GITHUB_REPOSITORY_then_a_local_placeholder()
    {
        Assert.Equal("o/r", RunnerEvent.RepositoryOf(Root(DeploymentJson), "x/y"));
        Assert.Equal("x/y", RunnerEvent.RepositoryOf(Root("{}"), "x/y"));
        Assert.Equal("local/repository", RunnerEvent.RepositoryOf(Root("{}"), null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    public void A_deployment_id_that_is_not_a_positive_number_is_a_configuration_error(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => RunnerEvent.ParseDeploymentId(text));

        Assert.Equal($"Input `deployment-id` must be a deployment's numeric id, not '{text}'.", error.Message);
    }
}
