using System.Text;
using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Kubectl;

/// <summary>The kubectl handler against the real kubectl and a fake API server: deploying.</summary>
[Collection(KubectlCollection.Name)]
public sealed class KubectlDeployTests
{
    public const string App = """
        # A web app: a Deployment with an init container and a sidecar, and its Service.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              initContainers:
              - name: migrate
                image: localhost:5000/acme/web:latest
                args: ["migrate"]
              containers:
              - name: web
                image: localhost:5000/acme/web:v1
                ports: [{containerPort: 8080}]
              - name: proxy
                image: docker.io/library/nginx:1.27
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]
        ---
        """;

    [Fact(Timeout = 120_000)]
    public async Task I_can_deploy_manifests_and_the_cluster_gets_my_images_in_a_labelled_namespace()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs(ns: "pr-17");
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        var result = await scenario.RunAsync(inputs, environment: "Review PR #17");

        Assert.Equal(["in_progress", "success"], result.States);
        var deployment = scenario.Cluster.Find("Deployment", "pr-17", "web");
        Assert.NotNull(deployment);
        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal("localhost:5000/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", (string?)pod["containers"]![0]!["image"]);
        Assert.Equal("localhost:5000/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", (string?)pod["initContainers"]![0]!["image"]);
        Assert.Equal("docker.io/library/nginx:1.27", (string?)pod["containers"]![1]!["image"]);
        Assert.NotNull(scenario.Cluster.Find("Service", "pr-17", "web"));

        var ns = scenario.Cluster.Find("Namespace", null, "pr-17");
        Assert.NotNull(ns);
        Assert.Equal("deliverybot-runner", (string?)ns["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal(new DeployRunner.Handlers.Kubectl.OwnershipMark("Review PR #17").LabelValue, (string?)ns["metadata"]!["labels"]!["deliverybot-runner/environment"]);
        Assert.Equal("Review PR #17", (string?)ns["metadata"]!["annotations"]!["deliverybot-runner/environment"]);

        // The credentials were used, and never printed.
        Assert.Contains("Bearer fake-token-0123456789abcdef", scenario.Cluster.Authorizations);
        Assert.DoesNotContain("fake-token-0123456789abcdef", WithoutMaskCommands(result.Log));

        // Validation stays on: kubectl asks the server to check every object strictly.
        Assert.All(scenario.Cluster.Requests.Where(r => r.StartsWith("POST /apis/apps/v1/", StringComparison.Ordinal)), r => Assert.Contains("fieldValidation=Strict", r));

        // One result per applied object, with its rollout.
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"rolled out\"", result.Outputs);
        Assert.Contains("\"target\":\"service/web\",\"result\":\"applied\"", result.Outputs);
        Assert.Contains("| deployment/web | rolled out |", result.Summary);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_server_whose_certificate_the_kubeconfig_does_not_trust_is_refused_by_tls_and_nothing_is_applied()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        // The same server, but the kubeconfig does not name its CA: TLS verification must fail.
        inputs["kubeconfig"] = string.Join('\n', scenario.Cluster.Kubeconfig().Split('\n').Where(l => !l.Contains("certificate-authority-data", StringComparison.Ordinal)));

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "error"], result.States);
        Assert.Contains("certificate", result.Log);
        Assert.Empty(scenario.Cluster.Received);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollout_that_never_becomes_available_ends_in_failure_after_the_rollout_timeout()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        scenario.Cluster.RolloutsBecomeAvailable = false;
        var inputs = scenario.Inputs();
        inputs["rollout-timeout"] = "3s";

        var started = DateTime.UtcNow;
        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));
        Assert.Contains("deployment/web", result.Descriptions[^1]);
        Assert.Contains("timed out waiting for the condition", result.Log);
        Assert.Contains("\"target\":\"deployment/web\",\"result\":\"failed\"", result.Outputs);
        // Applied all the same: the failure is the rollout's.
        Assert.NotNull(scenario.Cluster.Find("Deployment", "pr-1", "web"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollout_past_its_progress_deadline_fails_at_once_with_kubectls_reason()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        scenario.Cluster.RolloutsBecomeAvailable = false;
        scenario.Cluster.ProgressDeadlineExceeded = true;
        var inputs = scenario.Inputs();
        inputs["rollout-timeout"] = "5m";

        var started = DateTime.UtcNow;
        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "kubectl should fail at once, not wait for the rollout-timeout.");
        Assert.Contains("deployment/web", result.Descriptions[^1]);
        Assert.Contains("exceeded its progress deadline", result.Descriptions[^1]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollout_that_becomes_available_while_kubectl_watches_succeeds()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        scenario.Cluster.RolloutsBecomeAvailable = false;
        var inputs = scenario.Inputs();
        inputs["rollout-timeout"] = "30s";

        var run = scenario.RunAsync(inputs);
        // Available only once kubectl is watching the rollout (it has listed "0 of 2" by then),
        // however long the apply took on a loaded machine.
        while (!run.IsCompleted && !scenario.Cluster.Requests.Any(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/deployments", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal)))
        {
            await Task.WhenAny(run, Task.Delay(50));
        }
        // Each set is a new resourceVersion: repeated, the watch reports one even if it took its
        // starting snapshot after the first.
        while (!run.IsCompleted)
        {
            scenario.Cluster.RolloutsBecomeAvailable = true;
            await Task.WhenAny(run, Task.Delay(200));
        }

        var result = await run;

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains("0 of 2 updated replicas are available", result.Log);
        Assert.Contains("successfully rolled out", result.Log);
    }

    [Fact(Timeout = 120_000)]
    public async Task Statefulsets_and_daemonsets_are_waited_for_too()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/stateful.yaml", """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              serviceName: db
              replicas: 1
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: postgres:17}]
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: [{name: agent, image: "registry.example:443/agent:2"}]
            """);
        var inputs = scenario.Inputs();
        inputs["images"] = "postgres=postgres:17.2\nregistry.example:443/agent=registry.example:443/agent:3";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains("\"target\":\"statefulset/db\",\"result\":\"rolled out\"", result.Outputs);
        Assert.Contains("\"target\":\"daemonset/agent\",\"result\":\"rolled out\"", result.Outputs);
        Assert.Equal("postgres:17.2", (string?)scenario.Cluster.Find("StatefulSet", "pr-1", "db")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("registry.example:443/agent:3", (string?)scenario.Cluster.Find("DaemonSet", "pr-1", "agent")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_kustomization_folder_is_built_by_kubectl_and_its_output_applied()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("deploy/base/app.yaml", App);
        scenario.Write("deploy/base/kustomization.yaml", """
            resources: [app.yaml]
            namePrefix: review-
            commonLabels:
              team: checkout
            """);
        var inputs = scenario.Inputs(manifests: "deploy/base");
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:pr-5";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        var deployment = scenario.Cluster.Find("Deployment", "pr-1", "review-web");
        Assert.NotNull(deployment);
        Assert.Equal("checkout", (string?)deployment["metadata"]!["labels"]!["team"]);
        Assert.Equal("localhost:5000/acme/web:pr-5", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains("\"target\":\"deployment/review-web\",\"result\":\"rolled out\"", result.Outputs);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_existing_namespace_is_used_as_it_is_and_never_labelled_as_ours()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        scenario.Cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "shared", ["labels"] = new JsonObject { ["owner"] = "platform" } } });

        var result = await scenario.RunAsync(scenario.Inputs(ns: "shared"));

        Assert.Equal(["in_progress", "success"], result.States);
        var labels = (JsonObject)scenario.Cluster.Find("Namespace", null, "shared")!["metadata"]!["labels"]!;
        Assert.Equal(["owner"], labels.Select(l => l.Key));
        Assert.NotNull(scenario.Cluster.Find("Deployment", "shared", "web"));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_script_runs_after_the_rollout_with_KUBECONFIG_and_without_the_runners_secrets()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        inputs["script"] = """
            echo "image: $(kubectl get deployment web --namespace "$DEPLOY_NAMESPACE" -o 'jsonpath={.spec.template.spec.containers[0].image}')"
            echo "runtime token: ${ACTIONS_RUNTIME_TOKEN:-absent}"
            stat -c 'kubeconfig mode %a' "$KUBECONFIG"
            grep token: "$KUBECONFIG"
            """;

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains("image: localhost:5000/acme/web:v1", result.Log);
        Assert.Contains("runtime token: absent", result.Log);
        Assert.Contains("kubeconfig mode 600", result.Log);
        // The script printed the token's line: the log shows it masked.
        Assert.Contains("***", result.Log);
        Assert.DoesNotContain("fake-token-0123456789abcdef", WithoutMaskCommands(result.Log));
        Assert.Contains("\"target\":\"script\",\"result\":\"ok\"", result.Outputs);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failing_script_after_the_rollout_is_a_failure()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        inputs["script"] = "echo smoke test failed; exit 3";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "failure"], result.States);
        Assert.Contains("exited with code 3", result.Descriptions[^1]);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_base64_kubeconfig_works_and_its_credentials_are_masked()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var key = Convert.ToBase64String(Encoding.UTF8.GetBytes("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyMaterialThatIsLongEnough0123\n-----END PRIVATE KEY-----\n"));
        var inputs = scenario.Inputs();
        inputs["kubeconfig"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(scenario.Cluster.Kubeconfig(token: "base64-token-abcdef0123456789", clientKeyData: key)));
        inputs["script"] = "cat \"$KUBECONFIG\"";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains("Bearer base64-token-abcdef0123456789", scenario.Cluster.Authorizations);
        Assert.Contains("::add-mask::base64-token-abcdef0123456789", result.Log);
        Assert.Contains($"::add-mask::{key}", result.Log);
        var printed = WithoutMaskCommands(result.Log);
        Assert.DoesNotContain("base64-token-abcdef0123456789", printed);
        Assert.DoesNotContain(key, printed);
        Assert.Contains("current-context: fake", printed);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_images_entry_that_matches_no_container_is_an_error_and_nothing_is_applied()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        inputs["images"] = "localhost:5000/acme/wbe=localhost:5000/acme/wbe:2";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "error"], result.States);
        Assert.Contains("'localhost:5000/acme/wbe'", result.Descriptions[^1]);
        Assert.Contains("localhost:5000/acme/web:v1", result.Log);
        Assert.Empty(scenario.Cluster.Received);
    }

    [Fact(Timeout = 120_000)]
    public async Task Hostile_deployment_values_stay_data()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        const string environment = "pr-9\"\n  evil: true\n::error::pwned $(touch /tmp/kubectl-pwned) `id`";

        var result = await scenario.RunAsync(scenario.Inputs(ns: "pr-9"), environment: environment);

        Assert.Equal(["in_progress", "success"], result.States);
        var ns = scenario.Cluster.Find("Namespace", null, "pr-9")!;
        var labelValue = (string)ns["metadata"]!["labels"]!["deliverybot-runner/environment"]!;
        Assert.Matches("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", labelValue);
        Assert.Equal(environment, (string?)ns["metadata"]!["annotations"]!["deliverybot-runner/environment"]);
        Assert.Null(ns["metadata"]!["labels"]!["evil"]);
        Assert.Null(ns["evil"]);
        Assert.False(File.Exists("/tmp/kubectl-pwned"));
        Assert.DoesNotContain(result.Log.Split('\n'), line => line.StartsWith("::error::pwned", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Kubectl_output_cannot_become_a_workflow_command()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        // kubectl echoes the server's refusal; a hostile server message is still just text.
        scenario.Write("k8s/app.yaml", App.Replace("name: web\n  labels", "name: web\n  namespace: other\n  labels", StringComparison.Ordinal));

        var result = await scenario.RunAsync(scenario.Inputs());

        Assert.Equal(["in_progress", "failure"], result.States);
        var lines = result.Log.Split('\n');
        var kubectlLine = Array.FindIndex(lines, l => l.StartsWith("$ kubectl apply", StringComparison.Ordinal));
        Assert.True(kubectlLine > 0);
        Assert.StartsWith("::stop-commands::", lines[kubectlLine - 1], StringComparison.Ordinal);
        Assert.Contains("does not match the namespace", result.Descriptions[^1]);
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_a_namespace_input_the_contexts_namespace_is_used_and_not_created()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        scenario.Cluster.Seed(new JsonObject { ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "team-a" } });
        var inputs = scenario.Inputs();
        inputs.Remove("namespace");
        inputs["kubeconfig"] = scenario.Cluster.Kubeconfig(contextNamespace: "team-a");

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.NotNull(scenario.Cluster.Find("Deployment", "team-a", "web"));
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith("GET /apis/apps/v1/namespaces/team-a/deployments?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.Cluster.Requests, r => r.StartsWith("POST /api/v1/namespaces?", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_chosen_context_is_used_by_kubectl_and_by_the_script()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        // The current context points at a port where nothing listens.
        inputs["kubeconfig"] = scenario.Cluster.Kubeconfig()
            .Replace("current-context: fake", "current-context: nowhere", StringComparison.Ordinal)
            .Replace("contexts:\n", "contexts:\n- name: nowhere\n  context:\n    cluster: nowhere\n    user: ci\n", StringComparison.Ordinal)
            .Replace("clusters:\n", "clusters:\n- name: nowhere\n  cluster:\n    server: https://127.0.0.1:9\n", StringComparison.Ordinal);
        inputs["kube-context"] = "fake";
        inputs["script"] = "kubectl get service web --namespace \"$DEPLOY_NAMESPACE\" -o 'jsonpath=found {.metadata.name}{\"\\n\"}'";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains("found web", result.Log);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploying_again_updates_the_objects_in_place()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("k8s/app.yaml", App);
        var inputs = scenario.Inputs();
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:first";
        Assert.Equal("success", (await scenario.RunAsync(inputs)).FinalState);
        inputs["images"] = "localhost:5000/acme/web=localhost:5000/acme/web:second";

        var result = await scenario.RunAsync(inputs);

        Assert.Equal(["in_progress", "success"], result.States);
        Assert.Contains(scenario.Cluster.Requests, r => r.StartsWith("PATCH /apis/apps/v1/namespaces/pr-1/deployments/web", StringComparison.Ordinal));
        Assert.Equal("localhost:5000/acme/web:second", (string?)scenario.Cluster.Find("Deployment", "pr-1", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains("deployment.apps/web configured", result.Log);
    }

    [Fact(Timeout = 120_000)]
    public async Task Files_folders_and_globs_are_all_applied()
    {
        await using var scenario = await KubectlScenario.StartAsync();
        scenario.Write("base/web.yaml", App);
        scenario.Write("config/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n");
        scenario.Write("config/b.json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}""");
        scenario.Write("config/README.md", "not a manifest");
        scenario.Write("overlays/one/x.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData: {password: hunter2}\n");
        scenario.Write("overlays/two/deep/y.yml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer}\n");

        var result = await scenario.RunAsync(scenario.Inputs(manifests: "base/web.yaml\nconfig\n# a comment line\noverlays/**/*.y*ml"));

        Assert.True(result.States[^1] == "success", result.Log);
        Assert.NotNull(scenario.Cluster.Find("Deployment", "pr-1", "web"));
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "pr-1", "a"));
        Assert.NotNull(scenario.Cluster.Find("ConfigMap", "pr-1", "b"));
        Assert.NotNull(scenario.Cluster.Find("Secret", "pr-1", "x"));
        Assert.NotNull(scenario.Cluster.Find("ServiceAccount", "pr-1", "deployer"));
        Assert.Equal(
            ["deployment/web", "service/web", "configmap/a", "configmap/b", "secret/x", "serviceaccount/deployer"],
            System.Text.Json.Nodes.JsonNode.Parse(KeyValueOutputs(result.Outputs)["results"])!.AsArray().Select(t => (string)t!["target"]!));
    }

    private static Dictionary<string, string> KeyValueOutputs(string text) =>
        KeyValueFile.Parse(text).ToDictionary(p => p.Key, p => p.Value);

    internal static string WithoutMaskCommands(string log) =>
        string.Join('\n', log.Split('\n').Where(line => !line.StartsWith("::add-mask::", StringComparison.Ordinal)));
}

[CollectionDefinition(Name)]
public sealed class KubectlCollection
{
    /// <summary>One at a time: kubectl tests start processes and watch for temporary files.</summary>
    public const string Name = "kubectl";
}
