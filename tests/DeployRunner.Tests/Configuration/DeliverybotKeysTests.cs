using DeployRunner.Configuration;

namespace DeployRunner.Tests.Configuration;

/// <summary>Deliverybot's keys of a target in <c>.github/deploy.yml</c>: read, typed, and checked with file, line and column.</summary>
public sealed class DeliverybotKeysTests
{
    private const string File = ".github/deploy.yml";

    private static DeployConfig Parse(string yaml) => DeployConfig.Parse(yaml, File);

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigurationException>(() => Parse(yaml)).Message;

    [Fact]
    public void Every_Deliverybot_key_of_a_target_is_read()
    {
        var config = Parse("""
            review:
              environment: pr${{ pr }}
              auto_deploy_on: pr
              required_contexts: [build, "ci/test"]
              transient_environment: true
              production_environment: false
              description: Review app for ${{ ref }}
              task: deploy:review
              payload:
                release: review-myapp-${{ pr }}
                replicas: 2
                debug: true
                values: { image: "1.2" }
            """);

        var creation = Assert.Single(config.Targets).Creation;
        Assert.Equal(["pr"], creation.AutoDeployOn);
        Assert.Equal(["build", "ci/test"], creation.RequiredContexts);
        Assert.True(creation.TransientEnvironment);
        Assert.False(creation.ProductionEnvironment);
        Assert.Equal("Review app for ${{ ref }}", creation.Description);
        Assert.Equal("deploy:review", creation.Task);
        Assert.Equal("""{"release":"review-myapp-${{ pr }}","replicas":2,"debug":true,"values":{"image":"1.2"}}""", creation.Payload!.ToJsonString());
        Assert.True(creation.DeploysPullRequests);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void A_target_without_the_keys_gets_Deliverybot_defaults_except_required_contexts_left_to_the_runner()
    {
        var creation = Parse("staging:\n  environment: staging\n").Targets[0].Creation;

        Assert.Empty(creation.AutoDeployOn);
        Assert.Null(creation.RequiredContexts);
        Assert.False(creation.TransientEnvironment);
        Assert.False(creation.ProductionEnvironment);
        Assert.Null(creation.Payload);
    }

    [Theory]
    [InlineData("staging:\n  transient_environment: maybe\n", "2:26", "`transient_environment` of target `staging` must be true or false")]
    [InlineData("staging:\n  production_environment: [true]\n", "2:27", "`production_environment` of target `staging` must be true or false")]
    [InlineData("staging:\n  required_contexts: build\n", "2:22", "`required_contexts` of target `staging` must be a list")]
    [InlineData("staging:\n  required_contexts: [build, {a: 1}]\n", "2:30", "an item of `required_contexts`")]
    [InlineData("staging:\n  payload: [1, 2]\n", "2:12", "`payload` of target `staging` must be a mapping")]
    [InlineData("staging:\n  description: {a: 1}\n", "2:16", "`description` of target `staging` must be text")]
    [InlineData("staging:\n  auto_deploy_on: {ref: main}\n", "2:19", "`auto_deploy_on` of target `staging` must be text")]
    public void A_wrong_type_is_an_error_with_file_line_and_column(string yaml, string at, string expected)
    {
        var error = ErrorOf(yaml);

        Assert.StartsWith($"{File}:{at}: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void An_unknown_key_is_a_warning_that_names_the_nearest_known_key()
    {
        var config = Parse("""
            staging:
              auto_deploy: refs/heads/main
              required_context: [build]
              colour: blue
            """);

        Assert.Equal(3, config.Warnings.Count);
        Assert.Equal($"{File}:2:3: unknown key `auto_deploy` in target `staging`, ignored. Did you mean `auto_deploy_on`?", config.Warnings[0]);
        Assert.Contains("Did you mean `required_contexts`?", config.Warnings[1]);
        Assert.Contains("Known keys: environment, auto_deploy_on", config.Warnings[2]);
        Assert.Empty(config.Targets[0].Creation.AutoDeployOn);
    }

    [Theory]
    [InlineData("refs/heads/main", "refs/heads/main", true)]
    [InlineData("refs/heads/main", "refs/heads/main2", false)]
    [InlineData("refs/tags/*", "refs/tags/v1.2.0", true)]
    [InlineData("refs/tags/*", "refs/heads/v1", false)]
    [InlineData("refs/heads/*", "refs/heads/feature/x", true)]
    [InlineData("refs/heads/release-*-final", "refs/heads/release-2-final", true)]
    [InlineData("pr", "pr", false)]
    public void Auto_deploy_on_matches_refs_and_globs(string pattern, string pushed, bool deploys)
    {
        var config = Parse($"t:\n  auto_deploy_on: \"{pattern}\"\n");

        Assert.Equal(deploys, config.Targets[0].Creation.DeploysPushOf(pushed));
    }

    /// <summary>Deliverybot's own repository's deploy.yml (deliverybot/deliverybot, .github/deploy.yml), unchanged: the pre-2019 `deployments:` list.</summary>
    [Fact]
    public void Deliverybots_own_deploy_yml_parses_unchanged()
    {
        var config = Parse("""
            production:
              auto_deploy_on: refs/heads/master
              deployments:
              - environment: production
                production_environment: true
                url: https://deliverybot.web.app

                payload:
                  steps:
                  - name: gcr.io/deliverybot/cloud-functions
                  name: deliverybot
                  project: deliverybot
                  region: us-central1
                  runtime: nodejs8
                  entrypoint: deliverybot
                  source: gs://deliverybot-cache/deliverybot-{{short_sha}}.zip

                required_contexts:
                - "Build (538437845459)"
            """);

        var target = Assert.Single(config.Targets);
        Assert.Equal("production", target.Environment);
        Assert.True(target.Creation.ProductionEnvironment);
        Assert.True(target.Creation.DeploysPushOf("refs/heads/master"));
        Assert.Equal(["Build (538437845459)"], target.Creation.RequiredContexts);
        Assert.Equal("us-central1", target.Creation.Payload!["region"]!.GetValue<string>());
        Assert.Empty(config.Warnings);
    }

    /// <summary>The Helm example (deliverybot/helm, example/deploy.yml), unchanged: several entries, the first one counts, as in Deliverybot.</summary>
    [Fact]
    public void The_helm_example_parses_unchanged()
    {
        var config = Parse("""
            canary:
              deployments:
              - environment: production
                description: 'Canary'
                payload:
                  release: production-myapp
                  namespace: production
                  track: canary
                  values:
                    replicaCount: 1

            production:
              deployments:
              - environment: production
                task: remove
                description: 'Remove canary'
                payload:
                  track: canary
                  release: production-myapp
                  namespace: production
              - environment: production
                description: 'Production'
                payload:
                  release: production-myapp
                  namespace: production
                  track: stable
                  values:
                    replicaCount: 5

            staging:
              auto_deploy_on: refs/heads/master
              deployments:
              - environment: staging
                description: 'Staging'
                payload:
                  release: staging-myapp
                  namespace: staging
            """);

        Assert.Equal(["canary", "production", "staging"], config.Targets.Select(t => t.Name));
        Assert.Equal(["production", "production", "staging"], config.Targets.Select(t => t.Environment));
        Assert.Equal("remove", config.Targets[1].Creation.Task);
        Assert.Equal(1, config.Targets[0].Creation.Payload!["values"]!["replicaCount"]!.GetValue<long>());
        Assert.Equal(["refs/heads/master"], config.Targets[2].Creation.AutoDeployOn);
        Assert.Empty(config.Warnings);
    }

    /// <summary>The current format of Deliverybot's examples (DELIVERYBOT.md): production, staging and review targets.</summary>
    [Fact]
    public void The_current_example_format_parses_unchanged()
    {
        var config = Parse("""
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
              required_contexts: ["build"]
              description: "Review app"
              payload:
                release: review-myapp-${{ pr }}
                namespace: review
                track: stable
                values: { replicaCount: 1 }
            """);

        Assert.Equal(["production", "staging", "pr${{ pr }}"], config.Targets.Select(t => t.Environment));
        Assert.True(config.Targets[0].Creation.ProductionEnvironment);
        Assert.Equal(["build"], config.Targets[2].Creation.RequiredContexts);
        Assert.Empty(config.Warnings);
    }
}
