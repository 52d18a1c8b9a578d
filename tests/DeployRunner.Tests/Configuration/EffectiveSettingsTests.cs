using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Configuration;

public sealed class EffectiveSettingsTests
{
    private const string Config = """
        review:
          environment: pr${{ pr }}
          runner:
            script: ./review.sh
            namespace: review-{environment}
            hosts: [a.example.com, b.example.com]
            environment-url: https://{payload.pr}.review.example.com
        """;

    private static readonly InputSet Inputs = InputSet.Of(
        ("token", "ghs_secret"),
        ("script", "./deploy.sh"),
        ("namespace", "default"),
        ("timeout", "30m"),
        ("environment-url", "https://{environment}.example.com/{ref}/{sha}/{id}/{task}"));

    private static Deployment Deployment(string environment = "pr17", JsonObject? payload = null) => new(
        Id: 42, Sha: "abc123", Ref: "feature/x", Task: "deploy", Environment: environment, OriginalEnvironment: environment,
        Description: null, TransientEnvironment: true, ProductionEnvironment: false,
        Payload: payload is null ? DeploymentPayload.None : DeploymentPayload.FromObject(payload));

    private static EffectiveSettings Resolve(InputSet inputs, Deployment deployment, RecordingLog? log = null, string config = Config) =>
        EffectiveSettings.Resolve(inputs, DeployConfig.Parse(config, ".github/deploy.yml"), deployment, log ?? new RecordingLog());

    [Fact]
    public void Inputs_alone_apply_when_no_target_matches_and_their_placeholders_are_filled_in()
    {
        var settings = Resolve(Inputs, Deployment(environment: "staging")).Settings;

        Assert.Equal("./deploy.sh", settings.Get("script"));
        Assert.Equal("default", settings.Get("namespace"));
        Assert.Equal("https://staging.example.com/feature/x/abc123/42/deploy", settings.Get("environment-url"));
    }

    [Fact]
    public void The_runner_block_overrides_the_inputs()
    {
        var resolved = Resolve(Inputs, Deployment(payload: new JsonObject { ["pr"] = 17 }));

        Assert.Equal("review", resolved.Target?.Name);
        Assert.Equal("./review.sh", resolved.Settings.Get("script"));
        Assert.Equal("review-pr17", resolved.Settings.Get("namespace"));
        Assert.Equal(["a.example.com", "b.example.com"], resolved.Settings.GetList("hosts"));
        Assert.Equal("https://17.review.example.com", resolved.Settings.Get("environment-url"));
        Assert.Equal("30m", resolved.Settings.Get("timeout"));
        Assert.Equal("ghs_secret", resolved.Settings.GetRaw("token"));
    }

    [Fact]
    public void An_input_the_runner_block_replaces_is_named_in_one_warning_with_where_the_file_sets_it()
    {
        var log = new RecordingLog();

        Resolve(Inputs, Deployment(payload: new JsonObject { ["pr"] = 17 }), log);

        var warning = Assert.Single(log.Warnings, w => w.StartsWith("`script`", StringComparison.Ordinal));
        Assert.StartsWith("`script` is set both as an input (the workflow's `with:` or --script on the command line) and by target `review` at .github/deploy.yml:4:", warning);
        Assert.EndsWith("; the file's value is used.", warning);
        // An input left at action.yml's default was nobody's choice: no warning.
        Assert.DoesNotContain(log.Warnings, w => w.StartsWith("`hosts`", StringComparison.Ordinal));
    }

    [Fact]
    public void A_payload_that_names_a_target_without_a_deploy_yml_to_read_it_from_is_warned_about()
    {
        var log = new RecordingLog();

        var resolved = EffectiveSettings.Resolve(Inputs, config: null, Deployment(payload: new JsonObject { ["target"] = "review" }), log);

        Assert.Null(resolved.Target);
        var warning = Assert.Single(log.Warnings);
        Assert.StartsWith("The deployment's payload names a target, but .github/deploy.yml is not in the workspace", warning);
        Assert.Contains("actions/checkout", warning);
        // A payload without a target expects no file: nothing to warn about.
        Assert.Empty(Warnings(new JsonObject { ["release"] = "v1" }));
    }

    private static List<string> Warnings(JsonObject payload)
    {
        var log = new RecordingLog();
        EffectiveSettings.Resolve(Inputs, config: null, Deployment(payload: payload), log);
        return log.Warnings;
    }

    [Fact]
    public void An_input_at_its_action_yml_default_is_replaced_by_the_runner_block_quietly()
    {
        var log = new RecordingLog();

        Resolve(InputSet.Of(("handler", "shell"), ("timeout", "30m")), Deployment(), log, config: "review:\n  environment: pr17\n  runner:\n    handler: ssh\n    timeout: 5m\n");

        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void A_listed_payload_value_overrides_the_runner_block_and_an_unlisted_one_is_ignored_with_a_warning()
    {
        var log = new RecordingLog();
        var payload = new JsonObject { ["pr"] = 17, ["namespace"] = "from-payload", ["hosts"] = new JsonArray("c.example.com", "d.example.com"), ["script"] = "rm -rf /" };

        var settings = Resolve(Inputs.With("payload-overrides", "namespace, hosts"), Deployment(payload: payload), log).Settings;

        Assert.Equal("from-payload", settings.Get("namespace"));
        Assert.Equal(["c.example.com", "d.example.com"], settings.GetList("hosts"));
        Assert.Equal("./review.sh", settings.Get("script"));
        Assert.Contains(log.Warnings, w => w.Contains("`script`", StringComparison.Ordinal) && w.Contains("payload-overrides", StringComparison.Ordinal));
    }

    [Fact]
    public void Payload_values_are_data_placeholders_in_them_stay_as_written()
    {
        var payload = new JsonObject { ["pr"] = 17, ["namespace"] = "{sha}" };

        var settings = Resolve(Inputs.With("payload-overrides", "namespace"), Deployment(payload: payload)).Settings;

        Assert.Equal("{sha}", settings.Get("namespace"));
    }

    [Fact]
    public void A_substituted_value_is_never_scanned_again()
    {
        var payload = new JsonObject { ["pr"] = "{id}{payload.pr}" };

        var settings = Resolve(Inputs, Deployment(payload: payload)).Settings;

        Assert.Equal("https://{id}{payload.pr}.review.example.com", settings.Get("environment-url"));
    }

    [Fact]
    public void A_substituted_value_with_a_line_break_is_refused_so_it_cannot_add_a_host()
    {
        var payload = new JsonObject { ["pr"] = 17, ["host"] = "ok.example.com\nevil.example.com" };
        var config = "review:\n  environment: pr${{ pr }}\n  runner:\n    hosts: '{payload.host}'\n";

        var error = Assert.Throws<ConfigurationException>(() => Resolve(Inputs, Deployment(payload: payload), config: config)).Message;

        Assert.StartsWith(".github/deploy.yml:4:5:", error);
        Assert.Contains("line break", error);
    }

    [Fact]
    public void A_missing_payload_key_is_an_error_that_names_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve(Inputs, Deployment())).Message;

        Assert.Contains("{payload.pr}", error);
        Assert.Contains(".github/deploy.yml:7:5", error);
    }

    [Fact]
    public void Scripts_are_never_substituted_and_a_placeholder_in_one_gets_a_warning()
    {
        var log = new RecordingLog();

        var settings = Resolve(Inputs.With("script", "echo {environment} ${DEPLOY_ENVIRONMENT}"), Deployment(environment: "staging"), log).Settings;

        Assert.Equal("echo {environment} ${DEPLOY_ENVIRONMENT}", settings.Get("script"));
        Assert.Contains(log.Warnings, w => w.Contains("DEPLOY_ENVIRONMENT", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ssh-key", "a secret")]
    [InlineData("token", "a secret")]
    [InlineData("config", "not a setting")]
    [InlineData("hostz", "not a setting")]
    public void Payload_overrides_refuses_secrets_and_unknown_names(string name, string why)
    {
        var error = Assert.Throws<ConfigurationException>(() => Resolve(Inputs.With("payload-overrides", $"namespace {name}"), Deployment(environment: "staging"))).Message;

        Assert.Contains($"`{name}`", error);
        Assert.Contains(why, error);
    }

    [Fact]
    public void A_secret_in_the_payload_never_reaches_the_settings()
    {
        var payload = new JsonObject { ["token"] = "ghs_attacker", ["kubeconfig"] = "evil" };

        var settings = Resolve(Inputs, Deployment(environment: "staging", payload: payload)).Settings;

        Assert.Equal("ghs_secret", settings.GetRaw("token"));
        Assert.Null(settings.Get("kubeconfig"));
    }

    [Fact]
    public void Errors_about_a_setting_from_the_file_point_at_its_line()
    {
        var resolved = Resolve(Inputs, Deployment(payload: new JsonObject { ["pr"] = 17 }));

        var explained = resolved.Explain(new ConfigurationException("Input `namespace` must be a DNS label.", setting: "namespace"));

        Assert.Contains("(`namespace` set at .github/deploy.yml:5:5)", explained.Message);
        Assert.Equal("Input `timeout` is bad.", resolved.Explain(new ConfigurationException("Input `timeout` is bad.", setting: "timeout")).Message);
    }

    [Fact]
    public async Task The_default_config_file_may_be_absent_but_a_named_one_must_exist()
    {
        var workspace = Directory.CreateTempSubdirectory("deploy-config-").FullName;
        try
        {
            Assert.Null(await EffectiveSettings.LoadConfigAsync(InputSet.Of(("config", ".github/deploy.yml")), workspace, CancellationToken.None));
            Assert.Null(await EffectiveSettings.LoadConfigAsync(InputSet.Empty, workspace, CancellationToken.None));
            var error = await Assert.ThrowsAsync<ConfigurationException>(() => EffectiveSettings.LoadConfigAsync(InputSet.Of(("config", "deploy/targets.yml")), workspace, CancellationToken.None));
            Assert.Contains("deploy/targets.yml", error.Message);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
