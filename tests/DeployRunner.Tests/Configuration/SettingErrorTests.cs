using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Handlers.Ssh;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Configuration;

/// <summary>
/// A configuration error names its setting as data (<see cref="ConfigurationException.Setting"/>),
/// and <see cref="EffectiveSettings.Explain"/> says where that one setting came from; it never
/// searches the message for a setting's name.
/// </summary>
public sealed class SettingErrorTests
{
    private const string Config = """
        review:
          environment: pr17
          runner:
            script: ./review.sh
            namespace: review-pr17
        """;

    private static EffectiveSettings Resolved(InputSet? inputs = null, JsonObject? payload = null) => EffectiveSettings.Resolve(
        inputs ?? InputSet.Of(("timeout", "30m"), ("namespace", "default")),
        DeployConfig.Parse(Config, ".github/deploy.yml"),
        new Deployment(
            Id: 42, Sha: "abc123", Ref: "main", Task: "deploy", Environment: "pr17", OriginalEnvironment: "pr17",
            Description: null, TransientEnvironment: true, ProductionEnvironment: false,
            Payload: payload is null ? DeploymentPayload.None : DeploymentPayload.FromObject(payload)),
        new RecordingLog());

    [Fact]
    public void An_error_about_a_setting_set_in_deploy_yml_points_at_its_file_and_line()
    {
        var explained = Resolved().Explain(new ConfigurationException("Input `namespace` must be a DNS label.", setting: "namespace"));

        Assert.Equal("Input `namespace` must be a DNS label. (`namespace` set at .github/deploy.yml:5:5)", explained.Message);
        Assert.Equal("namespace", explained.Setting);
    }

    [Fact]
    public void An_error_about_a_setting_from_the_payload_says_the_payload_set_it()
    {
        var resolved = Resolved(InputSet.Of(("payload-overrides", "timeout")), new JsonObject { ["timeout"] = "soon" });

        var explained = resolved.Explain(new ConfigurationException("Input `timeout` must be a duration.", setting: "timeout"));

        Assert.EndsWith("(`timeout` from the deployment payload (allowed by `payload-overrides`))", explained.Message);
    }

    [Fact]
    public void An_error_about_a_setting_from_the_inputs_is_left_as_it_is_because_it_already_says_input()
    {
        var error = new ConfigurationException("Input `timeout` must be a duration.", setting: "timeout");

        Assert.Same(error, Resolved().Explain(error));
    }

    [Fact]
    public void An_error_that_names_no_setting_is_not_explained_even_when_its_text_mentions_one_from_the_file()
    {
        // The message names `namespace`, which deploy.yml sets; a text search would add its line.
        var error = new ConfigurationException("The cluster refused `namespace` review-pr17: it is being deleted.");

        Assert.Same(error, Resolved().Explain(error));
    }

    [Fact]
    public void An_error_is_explained_by_its_own_setting_never_by_another_one_its_text_mentions()
    {
        var resolved = Resolved();

        var aboutAnInput = new ConfigurationException("Input `timeout` is too short for `namespace` to be created.", setting: "timeout");
        var aboutTheFile = resolved.Explain(new ConfigurationException("Input `script` is empty, and `namespace` is set.", setting: "script"));

        Assert.Same(aboutAnInput, resolved.Explain(aboutAnInput));
        Assert.EndsWith("(`script` set at .github/deploy.yml:4:5)", aboutTheFile.Message);
        Assert.DoesNotContain("(`namespace`", aboutTheFile.Message);
    }

    [Fact]
    public void Each_problem_of_a_combined_error_is_explained_by_its_own_setting()
    {
        var combined = ConfigurationException.Combine("The ssh handler's inputs", [
            new ConfigurationException("Input `namespace` is wrong.", setting: "namespace"),
            new ConfigurationException("Input `timeout` is wrong.", setting: "timeout"),
            new ConfigurationException("Nothing can be trusted."),
        ]);

        var explained = Resolved().Explain(combined);

        Assert.Equal(
            "The ssh handler's inputs have 3 problems:\n"
            + "- Input `namespace` is wrong. (`namespace` set at .github/deploy.yml:5:5)\n"
            + "- Input `timeout` is wrong.\n"
            + "- Nothing can be trusted.",
            explained.Message);
    }

    [Fact]
    public void A_single_problem_is_not_wrapped_in_a_list()
    {
        var only = new ConfigurationException("Input `hosts` is required.", setting: "hosts");

        Assert.Same(only, ConfigurationException.Combine("The ssh handler's inputs", [only]));
    }

    [Theory]
    [InlineData("timeout", "soon")]
    [InlineData("fail-fast", "maybe")]
    [InlineData("max-parallel", "-1")]
    public void The_input_readers_name_the_setting_they_refuse(string name, string value)
    {
        var inputs = InputSet.Of((name, value));

        var error = Assert.Throws<ConfigurationException>(() => name switch
        {
            "timeout" => inputs.GetDuration(name, TimeSpan.FromMinutes(1)),
            "fail-fast" => inputs.GetBool(name, true),
            _ => (object)inputs.GetPositiveInt(name, 1),
        });

        Assert.Equal(name, error.Setting);
    }

    [Fact]
    public void The_ssh_handler_names_the_setting_of_each_problem_it_finds()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshSettings.From(InputSet.Of(("hosts", "web1 [::1"), ("ssh-port", "0"))));

        Assert.Equal(["ssh-port", "hosts", "ssh-key"], error.Problems.Select(p => p.Setting).Where(s => s is not null));
    }
}
