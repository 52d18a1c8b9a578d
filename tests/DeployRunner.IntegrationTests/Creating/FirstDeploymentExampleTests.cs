using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests.Creating;

/// <summary>
/// The three copy-and-go examples (push to staging, a review app per pull request, a manual
/// production deploy) are real: the built runner, given each workflow's own <c>with:</c> inputs
/// and files, runs over the real payload of the event the workflow listens to and creates and
/// runs the deployment with GITHUB_TOKEN alone.
/// </summary>
public sealed class FirstDeploymentExampleTests : FakeApiTest
{
    private static readonly string Root = RepositoryFiles.Root;

    private static YamlMappingNode Workflow(string name)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "examples", "workflows", name))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    /// <summary>The runner step's inputs, with the workflow's `${{ inputs.NAME }}` filled in as the "Run workflow" form would.</summary>
    private static Dictionary<string, string> RunnerInputs(YamlMappingNode workflow, IReadOnlyDictionary<string, string> dispatchInputs)
    {
        var job = ((YamlMappingNode)At(workflow, "jobs")).Children.Values.Cast<YamlMappingNode>().Single();
        var step = ((YamlSequenceNode)At(job, "steps")).Children.OfType<YamlMappingNode>()
            .Single(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("deliverybot/runner@", StringComparison.Ordinal));
        return ((YamlMappingNode)At(step, "with")).Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!,
            e => dispatchInputs.Aggregate(((YamlScalarNode)e.Value).Value!, (text, input) => text.Replace($"${{{{ inputs.{input.Key} }}}}", input.Value, StringComparison.Ordinal)));
    }

    private RunnerSandbox Sandbox(string workflowName, string fixture, IReadOnlyDictionary<string, string>? dispatchInputs = null)
    {
        var workflow = Workflow(workflowName);
        var sandbox = new RunnerSandbox(WebhookFixtures.Read(fixture), Api).WithEventName(WebhookFixtures.EventName(fixture));
        sandbox.Environment["GITHUB_SHA"] = "cccccccccccccccccccccccccccccccccccccccc";
        foreach (var (name, value) in RunnerInputs(workflow, dispatchInputs ?? new Dictionary<string, string>()))
        {
            Assert.DoesNotContain("${{", value);
            sandbox.Input(name, value);
        }

        foreach (var file in new[] { "examples/scripts/deploy.sh", "examples/first-deployment/deploy.yml" })
            sandbox.WriteWorkspaceFile(file, File.ReadAllText(Path.Combine(Root, file)), executable: file.EndsWith(".sh", StringComparison.Ordinal));
        return sandbox;
    }

    [Fact]
    public void The_readme_shows_the_one_step_push_path_first_and_says_Deliverybot_is_archived_and_its_file_works()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var quickStart = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..readme.IndexOf("## Your first deployment", StringComparison.Ordinal)];

        Assert.True(quickStart.IndexOf("on: { push:", StringComparison.Ordinal) is >= 0 and var push && push < quickStart.IndexOf("on: deployment", StringComparison.Ordinal), "The Quick start must show `on: push` before `on: deployment`.");
        Assert.Contains("examples/workflows/push-to-staging.yml", quickStart);
        Assert.Contains("is archived", readme[..readme.IndexOf("## Contents", StringComparison.Ordinal)]);
        Assert.Contains("keeps working here", readme[..readme.IndexOf("## Contents", StringComparison.Ordinal)]);
        Assert.Contains("environment: { name: production, deployment: false }", readme);
        var firstDeployment = readme[readme.IndexOf("## Your first deployment", StringComparison.Ordinal)..readme.IndexOf("**3. Or create deployments yourself**", StringComparison.Ordinal)];
        Assert.DoesNotContain("secrets.", firstDeployment);
    }

    [WebhookFixtureFact]
    public async Task Push_to_staging_creates_and_runs_a_staging_deployment_with_the_job_token_alone()
    {
        var on = (YamlMappingNode)At(Workflow("push-to-staging.yml"), "on");
        Assert.True(on.Children.ContainsKey(new YamlScalarNode("push")));
        Assert.Equal("write", ((YamlScalarNode)At(Workflow("push-to-staging.yml"), "permissions", "deployments")).Value);
        using var sandbox = Sandbox("push-to-staging.yml", WebhookFixtures.Push);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal("staging", request["environment"]!.GetValue<string>());
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Equal("https://staging.example.com", Api.Statuses[1].Body["environment_url"]!.GetValue<string>());
        Assert.Contains(result.Lines, l => l.StartsWith("Deploying Codertocat/Hello-World@6113728", StringComparison.Ordinal));
        Assert.Equal(RunnerSandbox.Token, sandbox.Environment["INPUT_TOKEN"]);
    }

    [WebhookFixtureFact]
    public async Task The_review_app_example_deploys_on_open_and_removes_it_on_close()
    {
        var types = ((YamlSequenceNode)At(Workflow("review-app-per-pull-request.yml"), "on", "pull_request", "types")).Children.Select(n => ((YamlScalarNode)n).Value);
        Assert.Equal(["opened", "synchronize", "reopened", "closed"], types);

        using (var opened = Sandbox("review-app-per-pull-request.yml", WebhookFixtures.PullRequestOpened))
        {
            var deployed = await opened.RunAsync();
            deployed.ShouldExitWith(0);
        }

        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal(("pr2", true), (request["environment"]!.GetValue<string>(), request["transient_environment"]!.GetValue<bool>()));
        Assert.Equal("https://pr2.review.example.com", Api.Statuses[1].Body["environment_url"]!.GetValue<string>());
        var created = Api.CreatedDeployments[0]["id"]!.GetValue<long>();
        Api.AddPullRequestCommits(2, request["ref"]!.GetValue<string>());

        using var closed = Sandbox("review-app-per-pull-request.yml", WebhookFixtures.PullRequestClosed);
        var result = await closed.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("Removing review app pr2", result.Lines);
        Assert.Equal("inactive", Api.LatestState(created));
    }

    [WebhookFixtureFact]
    public async Task The_manual_production_deploy_deploys_the_chosen_target_as_a_production_environment()
    {
        var inputs = (YamlMappingNode)At(Workflow("manual-production-deploy.yml"), "on", "workflow_dispatch", "inputs");
        Assert.True(inputs.Children.ContainsKey(new YamlScalarNode("target")));
        Assert.True(inputs.Children.ContainsKey(new YamlScalarNode("ref")));
        using var sandbox = Sandbox("manual-production-deploy.yml", WebhookFixtures.WorkflowDispatch, new Dictionary<string, string> { ["target"] = "production", ["ref"] = "" });

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal(("production", true, "cccccccccccccccccccccccccccccccccccccccc"), (request["environment"]!.GetValue<string>(), request["production_environment"]!.GetValue<bool>(), request["ref"]!.GetValue<string>()));
        Assert.Equal(["in_progress", "success"], Api.States);
    }
}
