using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// The review-app example (examples/workflows/shell-review-apps.yml with examples/shell-review-apps/) is
/// real: its config plans as the README says, and the built runner, given the workflow's own
/// <c>with:</c> inputs, publishes a review app on <c>/deploy review</c> and removes it when the
/// pull request closes.
/// </summary>
public sealed class ReviewAppExampleTests : FakeApiTest
{
    private static readonly string Root = RepositoryFiles.Root;
    private static readonly string WorkflowPath = Path.Combine(Root, "examples", "workflows", "shell-review-apps.yml");

    private static YamlMappingNode Workflow()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(WorkflowPath)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    /// <summary>The inputs the example workflow passes to the runner.</summary>
    private static Dictionary<string, string> WorkflowInputs()
    {
        var steps = (YamlSequenceNode)At(Workflow(), "jobs", "deploy", "steps");
        var runner = steps.Children.OfType<YamlMappingNode>().Single(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("deliverybot/runner@", StringComparison.Ordinal));
        return ((YamlMappingNode)At(runner, "with")).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
    }

    [Fact]
    public void The_workflow_listens_for_deployments_and_closed_pull_requests_with_one_concurrency_group_per_environment()
    {
        var workflow = Workflow();

        Assert.True(((YamlMappingNode)At(workflow, "on")).Children.ContainsKey(new YamlScalarNode("deployment")));
        Assert.Equal(["closed"], ((YamlSequenceNode)At(workflow, "on", "pull_request", "types")).Children.Select(n => ((YamlScalarNode)n).Value));
        var group = ((YamlScalarNode)At(workflow, "concurrency", "group")).Value!;
        Assert.Contains("github.event.deployment.environment", group);
        Assert.Contains("github.event.pull_request.number", group);
        Assert.Equal("false", ((YamlScalarNode)At(workflow, "concurrency", "cancel-in-progress")).Value);
        Assert.Equal("write", ((YamlScalarNode)At(workflow, "permissions", "deployments")).Value);
    }

    [Theory]
    [InlineData("pr17", "review", "./examples/shell-review-apps/deploy/review-up.sh", "https://pr17.review.example.com", 5)]
    [InlineData("production", null, "./examples/shell-review-apps/deploy/production.sh", "https://www.example.com", 15)]
    public async Task The_example_config_plans_each_target_as_documented(string environment, string? target, string script, string url, int timeoutMinutes)
    {
        var inputs = InputSet.Of(WorkflowInputs().Select(e => (e.Key, e.Value)).ToArray());
        var payload = target is null ? DeploymentPayload.None : DeploymentPayload.FromObject(new JsonObject { ["target"] = target, ["pr"] = 17 });
        var deployment = new Deployment(1, "abc", "feature/x", "deploy", environment, environment, null, target is not null, target is null, payload);
        var config = await EffectiveSettings.LoadConfigAsync(inputs, Root, CancellationToken.None);

        var settings = EffectiveSettings.Resolve(inputs, config, deployment, new NullWorkflowLog());
        var plan = DeploymentPlanner.Create(new DeploymentEvent("created", deployment, "octocat/hello-world"), settings.Settings, RunnerEnvironment.From(new Dictionary<string, string>(), Root));

        Assert.Equal("shell", plan.HandlerName);
        Assert.Equal(script, plan.Script);
        Assert.Equal(url, plan.EnvironmentUrl);
        Assert.Equal(TimeSpan.FromMinutes(timeoutMinutes), plan.Timeout);
        Assert.Equal(target is null ? null : "./examples/shell-review-apps/deploy/review-down.sh", settings.Settings.GetRaw("remove-script"));
    }

    [Fact(Timeout = 90_000)]
    public async Task Deploy_review_publishes_the_app_and_closing_the_pull_request_removes_it()
    {
        var reviewRoot = Directory.CreateTempSubdirectory("review-root-").FullName;
        const string headSha = "8f2b1d9c0e6a4b3f5d7c9e1a2b4c6d8e0f1a3b5c";
        try
        {
            // `/deploy review` on pull request 17: Deliverybot creates this deployment.
            var payload = new JsonObject { ["target"] = "review", ["pr"] = 17 };
            Api.AddDeployment(WebhookEvents.ApiDeployment(17001, "pr17", @ref: "feature/login", sha: headSha, transient: true, payload: payload));
            Api.AddPullRequestCommits(17, headSha);
            using (var deploy = ExampleSandbox(WebhookEvents.Deployment(id: 17001, environment: "pr17", @ref: "feature/login", sha: headSha, payload: payload.DeepClone(), transient: true), reviewRoot))
            {
                var result = await deploy.RunAsync();

                result.ShouldExitWith(0);
                Assert.Equal(["in_progress", "success"], Api.States);
                Assert.Equal("https://pr17.review.example.com", Api.Statuses[1].Body["environment_url"]!.GetValue<string>());
                Assert.True(File.Exists(Path.Combine(reviewRoot, "pr17", "index.html")));
                Assert.Equal(headSha, File.ReadAllText(Path.Combine(reviewRoot, "pr17", "REVISION")).Trim());
            }

            // The pull request is merged and closed.
            using (var close = ExampleSandbox(WebhookEvents.PullRequest(17, "feature/login", headSha), reviewRoot).WithEventName("pull_request"))
            {
                var result = await close.RunAsync();

                result.ShouldExitWith(0);
                Assert.False(Directory.Exists(Path.Combine(reviewRoot, "pr17")));
                Assert.Equal("inactive", Api.LatestState(17001));
                Assert.Contains("Removed " + Path.Combine(reviewRoot, "pr17"), result.Lines);
            }
        }
        finally
        {
            Directory.Delete(reviewRoot, recursive: true);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("pr1/../../victim")]
    [InlineData("pr1/../victim")]
    [InlineData("pr1x")]
    [InlineData("pr1\n")]
    [InlineData("production")]
    public async Task Case_5_review_down_refuses_an_environment_that_is_not_pr_and_digits_and_deletes_nothing(string environment)
    {
        var root = Directory.CreateTempSubdirectory("review-down-").FullName;
        try
        {
            var dest = Directory.CreateDirectory(Path.Combine(root, "review", "dest")).FullName;
            Directory.CreateDirectory(Path.Combine(dest, "pr1"));
            Directory.CreateDirectory(Path.Combine(root, "review", "victim"));
            Directory.CreateDirectory(Path.Combine(dest, "victim"));
            var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(Root, "examples", "shell-review-apps", "deploy", "review-down.sh")]) { RedirectStandardError = true, RedirectStandardOutput = true };
            start.Environment["REVIEW_DEST"] = dest;
            start.Environment["DEPLOY_ENVIRONMENT"] = environment;
            start.Environment["DEPLOY_SHA"] = "abc";
            using var script = System.Diagnostics.Process.Start(start)!;
            var stderr = await script.StandardError.ReadToEndAsync();
            await script.WaitForExitAsync();

            Assert.Equal(1, script.ExitCode);
            Assert.Contains("review apps are named pr<number>", stderr);
            Assert.DoesNotContain("\n::", stderr);
            Assert.True(Directory.Exists(Path.Combine(root, "review", "victim")));
            Assert.True(Directory.Exists(Path.Combine(dest, "victim")));
            Assert.True(Directory.Exists(Path.Combine(dest, "pr1")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Case_5_the_quick_start_script_prints_a_hostile_payload_value_with_workflow_commands_stopped()
    {
        var payload = new JsonObject { ["release"] = "v1\n::error::pwned\n::add-mask::x\n##[set-output name=status]success" };
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(payload: payload), Api)
            .Input("script", Path.Combine(Root, "examples", "scripts", "deploy.sh"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("::error::pwned", result.Lines);
        WorkflowLogAssert.NoUntrustedCommands(result.Lines, "::error::pwned", "::add-mask::x", "##[set-output");
        Assert.DoesNotContain(result.Lines, l => l.Contains("##[set-output", StringComparison.Ordinal) && !InsideStop(result.Lines, l));
    }

    private static bool InsideStop(IReadOnlyList<string> lines, string line)
    {
        var index = lines.ToList().IndexOf(line);
        var start = lines.Take(index).LastOrDefault(l => l.StartsWith("::stop-commands::", StringComparison.Ordinal));
        return start is not null && !lines.Skip(lines.ToList().IndexOf(start)).Take(index - lines.ToList().IndexOf(start)).Contains($"::{start["::stop-commands::".Length..]}::");
    }

    /// <summary>A workspace holding the repository's examples, with the example workflow's inputs.</summary>
    private RunnerSandbox ExampleSandbox(string eventJson, string reviewRoot)
    {
        var sandbox = new RunnerSandbox(eventJson, Api);
        foreach (var (name, value) in WorkflowInputs()) sandbox.Input(name, value);
        sandbox.Environment["REVIEW_DEST"] = reviewRoot;
        CopyDirectory(Path.Combine(Root, "examples"), Path.Combine(sandbox.Workspace, "examples"));
        return sandbox;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = file.Replace(from, to, StringComparison.Ordinal);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
