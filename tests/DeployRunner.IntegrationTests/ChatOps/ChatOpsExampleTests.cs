using DeployRunner.IntegrationTests.Creating;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// examples/workflows/chatops.yml is real: it listens to new comments, asks for the permissions
/// the commands need, and its runner step's own inputs deploy `/deploy staging` and refuse a
/// writer's `/deploy main to production` (admin-only in the example's deploy.yml).
/// </summary>
public sealed class ChatOpsExampleTests : CommentCommandTest
{
    private static readonly string Root = RepositoryFiles.Root;

    private static YamlMappingNode Workflow()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "examples", "workflows", "chatops.yml"))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private RunnerSandbox ExampleSandbox(string body)
    {
        var files = new[] { "examples/scripts/deploy.sh", "examples/first-deployment/deploy.yml" }
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Root, f)));
        var sandbox = Sandbox(body, masterFiles: files);
        var job = ((YamlMappingNode)At(Workflow(), "jobs")).Children.Values.Cast<YamlMappingNode>().Single();
        var step = ((YamlSequenceNode)At(job, "steps")).Children.OfType<YamlMappingNode>()
            .Single(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("deliverybot/runner@", StringComparison.Ordinal));
        foreach (var (key, value) in ((YamlMappingNode)At(step, "with")).Children)
            sandbox.Input(((YamlScalarNode)key).Value!, ((YamlScalarNode)value).Value!);
        return sandbox;
    }

    [Fact]
    public void The_example_listens_to_new_comments_and_asks_for_what_the_commands_need()
    {
        var workflow = Workflow();
        Assert.Equal(["created"], ((YamlSequenceNode)At(workflow, "on", "issue_comment", "types")).Children.Select(n => ((YamlScalarNode)n).Value));
        var permissions = ((YamlMappingNode)At(workflow, "permissions")).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
        Assert.Equal(
            new Dictionary<string, string> { ["contents"] = "write", ["deployments"] = "write", ["issues"] = "write", ["pull-requests"] = "write", ["statuses"] = "read", ["checks"] = "read" },
            permissions);
        var job = ((YamlMappingNode)At(workflow, "jobs")).Children.Values.Cast<YamlMappingNode>().Single();
        Assert.Contains("github.event.issue.pull_request", ((YamlScalarNode)At(job, "if")).Value);
    }

    [WebhookFixtureFact]
    public async Task The_examples_own_inputs_deploy_staging_by_comment()
    {
        using var sandbox = ExampleSandbox("/deploy staging");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(HeadSha, Assert.Single(Api.CreationRequests)["ref"]!.GetValue<string>());
        Assert.Contains(result.Lines, l => l.StartsWith($"Deploying Codertocat/Hello-World@{HeadSha[..7]}", StringComparison.Ordinal));
        Assert.Contains("<https://staging.example.com>", Reply.Body);
        Assert.Contains(Api.Requests, r => r.Path.EndsWith("/contents/examples/first-deployment/deploy.yml", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task The_examples_production_is_for_admins_only()
    {
        using var sandbox = ExampleSandbox("/deploy master to production");

        (await sandbox.RunAsync()).ShouldExitWith(0);

        Assert.Contains("by admins only", Reply.Body);
        Assert.Empty(Api.CreationRequests);
    }
}
