
namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>
/// Outside GitHub Actions nobody reads workflow commands, so a local
/// run's output shows no secret and no plumbing, and is safe to paste into a ticket.
/// </summary>
public sealed class LocalOutputTests : FakeApiTest
{
    [Theory(Timeout = 60_000)]
    [InlineData("shell", false)]
    [InlineData("ssh", true)]
    [InlineData("kubectl", true)]
    public async Task No_secret_appears_in_a_local_run_s_output(string handler, bool dryRun)
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).OutsideActions(keepApi: true)
            .Input("handler", handler)
            .Input("script", "echo deployed")
            .Input("dry-run", dryRun ? "true" : "false")
            .Input("ssh-key", key)
            .Input("kubeconfig", LocalRun.Kubeconfig())
            .Input("hosts", "deploy@web1.example.com")
            .Input("ssh-known-hosts", "web1.example.com " + publicKey)
            .Input("manifests", "k8s");
        // A kustomization, so the kubectl dry run starts kubectl (kustomize) and its output block shows.
        sandbox.WriteWorkspaceFile("k8s/app.yaml", LocalRun.App);
        sandbox.WriteWorkspaceFile("k8s/kustomization.yaml", "resources: [app.yaml]\n");

        var result = await sandbox.RunAsync("--event", sandbox.EventPath);

        result.ShouldExitWith(0);
        var secrets = key.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("-----", StringComparison.Ordinal))
            .Append(LocalRun.KubeToken)
            .Append(RunnerSandbox.Token)
            .ToList();
        Assert.True(secrets.Count >= 4, "the key should have body lines");
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, result.Log);
        Assert.DoesNotContain("add-mask", result.Log);
        if (handler == "kubectl") Assert.Contains(result.Lines, l => l.StartsWith("$ kubectl kustomize", StringComparison.Ordinal));
        LocalRun.ShowsNoPlumbing(result);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_local_run_shows_errors_as_plain_lines_and_status_lines_whole()
    {
        var environment = "review-" + new string('x', 150);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: environment, description: "line one\n::error::injected")).OutsideActions()
            .Input("script", "echo '::warning title=a:b::from the script'; exit 3");

        var result = await sandbox.RunAsync("--event", sandbox.EventPath);

        result.ShouldExitWith(1);
        Assert.Contains(result.Lines, l => l.StartsWith("[local] deployment 9100200300 status: in_progress: Deploying main to " + environment, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("[local]", StringComparison.Ordinal) && l.Contains('…', StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith($"Error (Deploying {environment} failed): The script exited with code 3.", StringComparison.Ordinal));
        // Each error once: the status line points at it rather than repeating it.
        Assert.Single(result.Lines, l => l.Contains("exited with code 3", StringComparison.Ordinal));
        Assert.Contains("[local] deployment 9100200300 status: failure (its description is the error above)", result.Lines);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::", StringComparison.Ordinal) && !l.StartsWith("::warning title=a:b::", StringComparison.Ordinal) && !l.StartsWith("::error::injected", StringComparison.Ordinal));
        Assert.DoesNotContain("stop-commands", result.Log);
        Assert.DoesNotContain("%3A", result.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_closed_pull_request_run_locally_says_it_did_not_ask_the_API()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(7, "feature", "a5c3785ed8d6a35868bc169f07e40e889087fd2e")).OutsideActions()
            .Input("remove-script", "touch ran");
        sandbox.Environment["GITHUB_EVENT_NAME"] = "pull_request";

        var result = await sandbox.RunAsync("--event", sandbox.EventPath);

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.Contains("Pull request #7 closed", StringComparison.Ordinal) && l.Contains("was not asked", StringComparison.Ordinal));
        Assert.DoesNotContain("no transient deployments", result.Log, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }
}
