namespace DeployRunner.TestKit;

/// <summary>
/// The real files the fuzzers start from, read in place: the shared webhook fixtures (beside the
/// repository), the repository's examples, and the <c>deploy.yml</c> shapes Deliverybot users have
/// (DELIVERYBOT.md). Never copied into the repository.
/// </summary>
public static class HostileCorpus
{
    /// <summary>The shared fixtures folder (<c>shared/fixtures</c> above the test binaries), or null where it is absent.</summary>
    public static string? SharedFixtures { get; } = FindSharedFixtures();

    /// <summary>deploy.yml files: the example's and the shapes DELIVERYBOT.md lists.</summary>
    public static IReadOnlyList<(string Name, string Text)> DeployYml { get; } =
    [
        ("examples/shell-review-apps/deploy.yml", File.ReadAllText(RepositoryFiles.Example("shell-review-apps/deploy.yml"))),
        ("deliverybot-targets.yml", """
            production:
              environment: production
              production_environment: true
            staging:
              auto_deploy_on: refs/heads/master
              environment: staging
              production_environment: false
            review:
              environment: pr${{ pr }}
              transient_environment: true
              production_environment: false
              runner:
                hosts: [web1.example.com, "web2.example.com:2222"]
                script: |
                  ./deploy.sh "$DEPLOY_ENVIRONMENT"
                timeout: 5m
            """),
        ("deliverybot-helm.yml", """
            .defaults: &defaults
              required_contexts: ["build"]
              runner: &runner
                handler: kubectl
                manifests: [k8s/]
                rollout-timeout: 3m
            canary:
              <<: *defaults
              description: "Canary ${{ short_sha }}"
              payload: { release: myapp-canary, namespace: prod, track: canary, values: { replicas: 1 } }
            production:
              <<: *defaults
              production_environment: true
              payload:
                release: myapp
                namespace: prod
                track: stable
                values: { replicas: 3, image: { tag: "${{ short_sha }}" } }
            review:
              <<: *defaults
              environment: review-${{ pr }}
              transient_environment: true
              deployments:
                - task: deploy
                  payload: { release: "review-myapp-${{ pr }}" }
            """),
    ];

    /// <summary>Kubernetes manifests from the examples.</summary>
    public static IReadOnlyList<(string Name, string Text)> Manifests { get; } =
        [.. Directory.EnumerateFiles(RepositoryFiles.ExamplesDirectory, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(RepositoryFiles.Root, path), File.ReadAllText(path)))];

    /// <summary>A kubeconfig as <c>kubectl config view --raw</c> prints it (made-up credentials).</summary>
    public static string Kubeconfig { get; } = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJ
        contexts:
        - name: prod
          context:
            cluster: prod
            user: ci
            namespace: web
        current-context: prod
        users:
        - name: ci
          user:
            token: fake-token-0123456789abcdef
        """;

    /// <summary>Webhook payloads: the shared fixtures (events and webhooks) and the examples' events.</summary>
    public static IReadOnlyList<(string Name, string Text)> Events { get; } = FindEvents();

    private static List<(string Name, string Text)> FindEvents()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryFiles.ExamplesDirectory, "events"), "*.json").ToList();
        if (SharedFixtures is not null)
        {
            foreach (var folder in new[] { "events", "webhooks" })
            {
                var path = Path.Combine(SharedFixtures, folder);
                if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*.json"));
            }
        }

        return [.. files.Order(StringComparer.Ordinal).Select(path => (Path.GetFileName(path), File.ReadAllText(path)))];
    }

    private static string? FindSharedFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(Path.Combine(candidate, "events"))) return candidate;
        }

        return null;
    }
}
