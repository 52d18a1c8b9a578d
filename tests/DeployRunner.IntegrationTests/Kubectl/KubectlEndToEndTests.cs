using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>
/// The built runner as the Actions runner starts it (environment, event file, output files),
/// the real kubectl, a fake Kubernetes API and a fake GitHub API: statuses as GitHub sees them.
/// </summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlEndToEndTests : FakeApiTest
{
    private static async Task<(RunnerSandbox Sandbox, FakeKubernetesApi Cluster)> SandboxAsync(FakeGitHubApi api, string eventJson)
    {
        KubectlScenario.RequireKubectl();
        var cluster = await FakeKubernetesApi.StartAsync();
        var sandbox = new RunnerSandbox(eventJson, api);
        // The runner's temporary files (the private kubeconfig) land here, to be checked.
        sandbox.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(sandbox.Root, "tmp")).FullName;
        sandbox.WriteWorkspaceFile("k8s/app.yaml", KubectlDeployTests.App);
        // As the Actions runner passes them: every declared input, defaults filled in.
        sandbox.Input("handler", "kubectl")
            .Input("kubeconfig", cluster.Kubeconfig())
            .Input("kube-context", "")
            .Input("namespace", "pr-3")
            .Input("manifests", "k8s/")
            .Input("images", "localhost:5000/acme/web=localhost:5000/acme/web:3f2a1b0")
            .Input("rollout-timeout", "20s")
            .Input("remove-namespace", "true");
        return (sandbox, cluster);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploying_and_removing_through_the_runner_posts_in_progress_success_then_in_progress_inactive()
    {
        var (sandbox, cluster) = await SandboxAsync(Api, WebhookEvents.Deployment(environment: "pr-3", transient: true));
        await using var _ = cluster;
        using var __ = sandbox;

        var deployed = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        deployed.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Equal("localhost:5000/acme/web:3f2a1b0", (string?)cluster.Find("Deployment", "pr-3", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("success", sandbox.Outputs()["status"]);
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"rolled out\"", sandbox.Outputs()["results"]);
        Assert.Contains("| deployment/web | rolled out |", sandbox.Summary());
        Assert.Contains(deployed.Lines, l => l.StartsWith("::group::", StringComparison.Ordinal));
        Assert.DoesNotContain("fake-token-0123456789abcdef", string.Join('\n', deployed.Lines.Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal))));
        Assert.Empty(Directory.GetFileSystemEntries(sandbox.Environment["TMPDIR"]));

        File.WriteAllText(sandbox.EventPath, WebhookEvents.Deployment(task: "remove", environment: "pr-3", transient: true));
        var removed = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        removed.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success", "in_progress", "inactive"], Api.States);
        Assert.Null(cluster.Find("Namespace", null, "pr-3"));
        Assert.Equal("inactive", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_closed_pull_request_deletes_its_review_namespace_with_the_example_workflows_inputs()
    {
        KubectlScenario.RequireKubectl();
        await using var cluster = await FakeKubernetesApi.StartAsync();
        const string branch = "feature/review";
        const string headSha = "feedfacefeedfacefeedfacefeedfacefeedface";
        Api.AddDeployment(WebhookEvents.ApiDeployment(201, "pr17", @ref: branch, sha: headSha, transient: true, payload: new JsonObject { ["pr"] = 17 }));
        Api.AddStatus(201, "success");
        Api.AddDeployment(WebhookEvents.ApiDeployment(202, "production", @ref: "main", production: true));
        Api.AddStatus(202, "success");
        cluster.Seed(new JsonObject
        {
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject
            {
                ["name"] = "pr17",
                ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "deliverybot-runner", ["deliverybot-runner/environment"] = new DeployRunner.Handlers.Kubectl.OwnershipMark("pr17").LabelValue },
                ["annotations"] = new JsonObject { ["deliverybot-runner/environment"] = "pr17" },
            },
        });
        cluster.Seed(new JsonObject { ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "pr17" }, ["spec"] = new JsonObject() });
        Api.AddPullRequestCommits(17, headSha);
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(17, branch, headSha), Api).WithEventName("pull_request");
        KubectlExampleTests.CopyExample(sandbox.Workspace);
        foreach (var (name, value) in KubectlExampleTests.ExampleInputs(cluster.Kubeconfig())) sandbox.Input(name, value);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(0);
        // The seeded success, then the teardown's statuses; production is left alone.
        Assert.Equal(["success", "in_progress", "inactive"], Api.Statuses.Where(s => s.DeploymentId == 201).Select(s => s.State));
        Assert.Equal(["success"], Api.Statuses.Where(s => s.DeploymentId == 202).Select(s => s.State));
        Assert.Null(cluster.Find("Namespace", null, "pr17"));
        Assert.Contains("Deployment/pr17/web", cluster.Deleted);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_stuck_rollout_through_the_runner_posts_failure_naming_the_object()
    {
        var (sandbox, cluster) = await SandboxAsync(Api, WebhookEvents.Deployment(environment: "pr-3"));
        await using var _ = cluster;
        using var __ = sandbox;
        cluster.RolloutsBecomeAvailable = false;
        sandbox.Input("rollout-timeout", "2s");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains("deployment/web", Api.Statuses[^1].Description);
        Assert.True(Api.Statuses[^1].Description!.Length <= 140);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("deployment/web", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kubeconfig_that_is_not_yaml_is_one_error_line_and_nothing_reaches_the_cluster()
    {
        var (sandbox, cluster) = await SandboxAsync(Api, WebhookEvents.Deployment(environment: "pr-3"));
        await using var _ = cluster;
        using var __ = sandbox;
        sandbox.Input("kubeconfig", "clusters: [ {server: https://127.0.0.1:1, token: s3cr3t-value");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("Input `kubeconfig` is not valid YAML", error);
        Assert.DoesNotContain(result.Lines, l => l.Contains("s3cr3t-value", StringComparison.Ordinal) && !l.StartsWith("::add-mask::", StringComparison.Ordinal));
        Assert.Equal(["error"], Api.States);
        Assert.Empty(cluster.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_signal_while_waiting_for_a_rollout_stops_kubectl_and_posts_error_within_7_seconds()
    {
        var (sandbox, cluster) = await SandboxAsync(Api, WebhookEvents.Deployment(environment: "pr-3"));
        await using var _ = cluster;
        using var __ = sandbox;
        cluster.RolloutsBecomeAvailable = false;
        sandbox.Input("rollout-timeout", "5m");
        var tmp = sandbox.Environment["TMPDIR"];

        using var runner = sandbox.Start();
        var waited = Stopwatch.StartNew();
        while (!cluster.Requests.Any(r => r.Contains("watch=true", StringComparison.Ordinal)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "kubectl never started watching the rollout.");
            await Task.Delay(50);
        }

        Assert.NotEmpty(Processes.WithCommandLineContaining(tmp));
        var clock = Stopwatch.StartNew();
        runner.Signal(RunningRunner.SIGINT);
        var terminal = await Api.WaitForStatusAsync(s => s.State != "in_progress", TimeSpan.FromSeconds(7));
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(7));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(7), $"Took {clock.Elapsed.TotalSeconds:0.0} s to stop.");
        Assert.Equal("error", terminal.State);
        Assert.Contains("cancelled", terminal.Description, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(await Processes.WaitUntilGoneAsync(tmp, TimeSpan.FromSeconds(2)));
        Assert.Empty(Directory.GetFileSystemEntries(tmp));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_hostile_server_message_echoed_by_kubectl_never_becomes_a_workflow_command()
    {
        var (sandbox, cluster) = await SandboxAsync(Api, WebhookEvents.Deployment(environment: "pr-3"));
        await using var _ = cluster;
        using var __ = sandbox;
        cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "pr-3" } });
        cluster.RejectCreatesWith = "denied by policy\n::error::pwned\n::add-mask::nothing\n::set-output name=status::success";

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains(result.Lines, l => l == "::error::pwned");
        WorkflowLogAssert.NoUntrustedCommands(result.Lines, "::error::pwned", "::add-mask::nothing", "::set-output");
    }
}
