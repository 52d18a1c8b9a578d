using DeployRunner.Configuration;

namespace DeployRunner.Tests.Configuration;

public sealed class DeployConfigTests
{
    private const string File = ".github/deploy.yml";

    private static DeployConfig Parse(string yaml) => DeployConfig.Parse(yaml, File);

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigurationException>(() => Parse(yaml)).Message;

    [Fact]
    public void Deliverybot_keys_are_left_alone_and_the_runner_block_is_read_in_input_form()
    {
        var config = Parse("""
            review:
              environment: pr${{ pr }}
              transient_environment: true
              required_contexts: []
              payload: { a: 1 }
              runner:
                handler: shell
                hosts: [web1.example.com, "web2.example.com:2222"]
                timeout: 90s
                remove-namespace: true
                working-directory:
            """);

        var target = Assert.Single(config.Targets);
        Assert.Equal(("review", "pr${{ pr }}"), (target.Name, target.Environment));
        var settings = target.Runner.ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("web1.example.com\nweb2.example.com:2222", settings["hosts"]);
        Assert.Equal("90s", settings["timeout"]);
        Assert.Equal("true", settings["remove-namespace"]);
        Assert.Equal("", settings["working-directory"]);
        Assert.Equal(new ConfigLocation(File, 9, 5), target.Runner.Single(s => s.Name == "timeout").Location);
    }

    [Fact]
    public void A_target_without_environment_deploys_to_the_environment_of_its_name()
    {
        var config = Parse("production:\n  production_environment: true\n");

        Assert.Equal("production", config.FindTarget(null, "production")?.Name);
        Assert.Empty(config.Targets[0].Runner);
    }

    [Fact]
    public void An_empty_file_has_no_targets() => Assert.Empty(Parse("# nothing yet\n").Targets);

    [Fact]
    public void Merge_keys_share_defaults_between_targets_and_explicit_keys_win()
    {
        var config = Parse("""
            .defaults: &defaults
              script: ./deploy.sh
              timeout: 5m
            staging:
              runner:
                <<: *defaults
                timeout: 10m
            """);

        var staging = config.Targets.Single(t => t.Name == "staging").Runner.ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("./deploy.sh", staging["script"]);
        Assert.Equal("10m", staging["timeout"]);
    }

    [Fact]
    public void The_payload_target_wins_over_the_environment()
    {
        var config = Parse("a:\n  environment: shared\nb:\n  environment: shared\n");

        Assert.Equal("b", config.FindTarget("b", "shared")?.Name);
    }

    [Fact]
    public void A_payload_target_that_is_not_in_the_file_is_an_error_naming_the_targets()
    {
        var config = Parse("production: {}\nreview: {}\n");

        var error = Assert.Throws<ConfigurationException>(() => config.FindTarget("qa", "qa")).Message;

        Assert.Contains("'qa'", error);
        Assert.Contains("production, review", error);
    }

    [Fact]
    public void Exact_environments_win_over_Deliverybot_templates()
    {
        var config = Parse("review:\n  environment: pr${{ pr }}\nproduction:\n  environment: production\n");

        Assert.Equal("production", config.FindTarget(null, "production")?.Name);
        Assert.Equal("review", config.FindTarget(null, "pr17")?.Name);
        Assert.Null(config.FindTarget(null, "staging"));
        Assert.Null(config.FindTarget(null, "pr"));
    }

    [Fact]
    public void Two_targets_with_the_same_environment_need_payload_target()
    {
        var config = Parse("a:\n  environment: shared\nb:\n  environment: shared\n");

        var error = Assert.Throws<ConfigurationException>(() => config.FindTarget(null, "shared")).Message;

        Assert.Contains("a, b", error);
        Assert.Contains("payload", error);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("ssh-key")]
    [InlineData("ssh-passphrase")]
    [InlineData("kubeconfig")]
    public void Every_secret_is_refused_in_the_file_with_its_line_and_column(string secret)
    {
        var error = ErrorOf($"production:\n  runner:\n    script: ./deploy.sh\n    {secret}: value-that-must-not-be-echoed\n");

        Assert.StartsWith($"{File}:4:5: `{secret}` is a secret", error);
        Assert.DoesNotContain("value-that-must-not-be-echoed", error);
    }

    [Theory]
    [InlineData("production:\n  runner:\n    hostz: a\n", "3:5", "unknown setting `hostz`")]
    [InlineData("production:\n  runner:\n    dry-run: true\n", "3:5", "`dry-run` cannot be set per target")]
    [InlineData("production:\n  runner:\n    payload-overrides: script\n", "3:5", "`payload-overrides` cannot be set per target")]
    [InlineData("production:\n  runner:\n    handler: ftp\n", "3:14", "unknown handler 'ftp'")]
    [InlineData("production:\n  runner:\n    skip-superseded: maybe\n", "3:22", "`skip-superseded` must be true or false")]
    [InlineData("production:\n  runner:\n    rollout-timeout: forever\n", "3:22", "`rollout-timeout` must be a duration")]
    [InlineData("production:\n  runner:\n    hosts: {a: b}\n", "3:12", "`hosts` must be text or a list of text items, not a mapping")]
    [InlineData("production:\n  runner:\n    hosts: [a, [b]]\n", "3:16", "`hosts` must be a list of text items")]
    [InlineData("production:\n  runner:\n    timeout: [5m]\n", "3:14", "`timeout` takes a single value")]
    [InlineData("production: ./deploy.sh\n", "1:13", "target `production` must be a mapping")]
    [InlineData("- production\n", "1:1", "must be a mapping of target names")]
    [InlineData("production:\n  environment: [a]\n", "2:16", "`environment` of target `production` must be text")]
    [InlineData("production:\n  runner:\n  script: x\n   bad: indent\n", "4:", "not valid YAML")]
    [InlineData("a: 1\n---\nb: 2\n", "3:1", "more than one YAML document")]
    public void Mistakes_are_reported_with_file_line_and_column(string yaml, string location, string message)
    {
        var error = ErrorOf(yaml);

        Assert.StartsWith($"{File}:{location}", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Placeholders_in_typed_settings_are_checked_after_substitution_not_before()
    {
        var config = Parse("production:\n  runner:\n    timeout: '{payload.timeout}'\n");

        Assert.Equal("{payload.timeout}", config.Targets[0].Runner[0].Value);
    }
}
