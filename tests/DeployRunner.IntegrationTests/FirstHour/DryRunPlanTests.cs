
namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary><c>--dry-run</c> is the whole plan for every handler, and finds what can be found without a target.</summary>
public sealed class DryRunPlanTests : FakeApiTest
{
    [Fact(Timeout = 60_000)]
    public async Task An_ssh_dry_run_shows_the_hosts_in_order_in_batches_and_the_jump_host()
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "ssh")
            .Input("dry-run", "true")
            .Input("script", "touch ran")
            .Input("environment-url", "https://staging.example.com")
            .Input("ssh-user", "deploy")
            .Input("hosts", "web1.example.com, web2.example.com\nops@web3.example.com:2222")
            .Input("max-parallel", "2")
            .Input("ssh-jump-host", "bastion.example.com")
            .Input("ssh-key", key)
            .Input("ssh-known-hosts", $"web1.example.com,web2.example.com,bastion.example.com {publicKey}\n[web3.example.com]:2222 {publicKey}");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.RequestsBesidesLockChecks);
        Assert.Contains("Hosts: 3 hosts, at most 2 at a time (input `max-parallel`), started in this order; each next host starts as soon as one finishes:", result.Lines);
        Assert.Contains("  batch 1: deploy@web1.example.com, deploy@web2.example.com", result.Lines);
        Assert.Contains("  batch 2: ops@web3.example.com:2222", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Jump host: deploy@bastion.example.com", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("Host keys: strict; 2 pinned", StringComparison.Ordinal));
        Assert.Contains("Connections: every host is checked (host key and login) before any host runs anything; the first 2 on a connection with the default key exchange, kept for their scripts, the other 1 on a check connection (curve25519-sha256 preferred, no command sent) closed at once and connected again at their turn (default key exchange, pinned to the host key the check accepted); at most 2 open at a time in the run", result.Lines);
        Assert.Contains("Environment URL: https://staging.example.com", result.Lines);
        Assert.Contains("touch ran", result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_ssh_dry_run_names_each_host_whose_key_nothing_pins_as_a_problem()
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "ssh")
            .Input("dry-run", "true")
            .Input("script", "touch ran")
            .Input("ssh-user", "deploy")
            .Input("hosts", "web1.example.com web2.example.com ops@web3.example.com:2222")
            .Input("ssh-jump-host", "bastion.example.com")
            .Input("ssh-key", key)
            .Input("ssh-known-hosts", "web1.example.com " + publicKey);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Empty(Api.RequestsBesidesLockChecks);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("No host key is pinned for web2.example.com, web3.example.com:2222, bastion.example.com (`ssh-strict` is on)", error);
        Assert.DoesNotContain("web1.example.com", error);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("Host keys: strict", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kubectl_dry_run_shows_cluster_context_namespace_and_each_object_with_its_rendered_images()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "kubectl")
            .Input("dry-run", "true")
            .Input("kubeconfig", LocalRun.Kubeconfig())
            .Input("namespace", "pr-42")
            .Input("manifests", "k8s/app.yaml")
            .Input("images", "nginx=registry.example.com/nginx:1.27")
            .Input("environment-url", "https://pr-42.example.com");
        sandbox.WriteWorkspaceFile("k8s/app.yaml", LocalRun.App);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.RequestsBesidesLockChecks);
        Assert.Contains("Cluster: https://127.0.0.1:6443", result.Lines);
        Assert.Contains("Context: staging (of staging, other)", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Namespace: pr-42", StringComparison.Ordinal));
        Assert.Contains("Would apply 2 object(s), in this order:", result.Lines);
        Assert.Contains("  deployment/web from k8s/app.yaml: busybox:1.36, registry.example.com/nginx:1.27; waits up to 300s for its rollout", result.Lines);
        Assert.Contains("  service/web from k8s/app.yaml", result.Lines);
        Assert.Contains("Environment URL: https://pr-42.example.com", result.Lines);
        Assert.DoesNotContain(result.Lines, l => l.Contains(LocalRun.KubeToken, StringComparison.Ordinal) && !l.StartsWith("::add-mask::", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_release_rollback_dry_run_does_not_print_the_script_it_will_not_run()
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "rollback"), Api)
            .Input("handler", "ssh")
            .Input("dry-run", "true")
            .Input("script", "./build-and-migrate --marker-of-the-script")
            .Input("ssh-user", "deploy")
            .Input("hosts", "web1.example.com")
            .Input("ssh-key", key)
            .Input("ssh-known-hosts", "web1.example.com " + publicKey)
            .Input("deploy-path", "/srv/app");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.DoesNotContain("--marker-of-the-script", result.Log);
        Assert.Contains("Script: not run: the ssh handler's rollback task goes back without it.", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Rollback: on every server, find the previous good release", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_readme_kubectl_dry_run_works_without_a_cluster_with_the_sample_kubeconfig()
    {
        const string sample = "examples/kubectl-review-app/sample-kubeconfig.yaml";
        Assert.Contains($"env \"INPUT_KUBECONFIG=$(cat {sample})\"", File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md")));
        using var sandbox = new RunnerSandbox(WebhookEvents.Example("deploy.json"), Api)
            .Input("handler", "kubectl")
            .Input("dry-run", "true")
            .Input("kubeconfig", File.ReadAllText(Path.Combine(RepositoryFiles.Root, sample)))
            .Input("manifests", "examples/kubectl-review-app/k8s")
            .Input("namespace", "pr-17")
            .Input("images", "ghcr.io/octocat/hello-world=ghcr.io/octocat/hello-world:v2");
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "examples", "kubectl-review-app", "k8s")))
            sandbox.WriteWorkspaceFile(Path.Combine("examples", "kubectl-review-app", "k8s", Path.GetFileName(file)), File.ReadAllText(file));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.RequestsBesidesLockChecks);
        Assert.Contains("Cluster: https://127.0.0.1:6443", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Namespace: pr-17", StringComparison.Ordinal));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("images", "redis=redis:7", "no container in the manifests uses 'redis'")]
    [InlineData("kube-context", "prod", "Input `kube-context` names 'prod'")]
    public async Task A_kubectl_dry_run_reports_what_a_real_run_would_refuse(string input, string value, string expected)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "kubectl")
            .Input("dry-run", "true")
            .Input("kubeconfig", LocalRun.Kubeconfig())
            .Input("manifests", "k8s/app.yaml")
            .Input(input, value);
        sandbox.WriteWorkspaceFile("k8s/app.yaml", LocalRun.App);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains(expected, Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Empty(Api.RequestsBesidesLockChecks);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_shell_dry_run_names_the_environment_url()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("dry-run", "true")
            .Input("script", "touch ran")
            .Input("environment-url", "https://staging.example.com");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("Environment URL: https://staging.example.com", result.Lines);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Empty(Api.RequestsBesidesLockChecks);
    }
}
