using DeployRunner.Configuration;
using DeployRunner.Handlers.Ssh;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Inputs;

/// <summary>One parser per shape of setting text: the inputs and deploy.yml agree.</summary>
public sealed class SettingTextTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("NO", false)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    public void A_boolean_reads_the_same_from_an_input_and_from_deploy_yml(string text, bool expected)
    {
        Assert.Equal(expected, InputSet.Of(("fail-fast", text)).GetBool("fail-fast", !expected));

        var config = DeployConfig.Parse($"staging:\n  runner:\n    fail-fast: \"{text}\"\n", ".github/deploy.yml");

        Assert.Equal(text, config.FindTarget(null, "staging")!.Runner.Single().Value);
    }

    [Fact]
    public void A_word_that_is_not_a_boolean_is_refused_by_both()
    {
        Assert.Throws<ConfigurationException>(() => InputSet.Of(("fail-fast", "maybe")).GetBool("fail-fast", true));
        Assert.Throws<ConfigurationException>(() => DeployConfig.Parse("staging:\n  runner:\n    fail-fast: maybe\n", ".github/deploy.yml"));
    }

    [Fact]
    public void List_lines_skip_blanks_and_comments_and_keep_their_line_numbers()
    {
        var lines = SettingText.Lines("web1\r\n\n  # web3 web4\n  web2  \rweb5").ToList();

        Assert.Equal([(1, "web1"), (4, "web2"), (5, "web5")], lines);
    }

    [Fact]
    public void List_items_split_lines_at_commas_spaces_and_tabs_and_the_ssh_hosts_and_inputs_agree()
    {
        const string text = "web1, web2\tweb3\n# web9\n  web4 ,web5  ";

        Assert.Equal(["web1", "web2", "web3", "web4", "web5"], SettingText.Items(text));
        Assert.Equal(SettingText.Items(text), InputSet.Of(("hosts", text)).GetList("hosts", commasAndSpaces: true));
        Assert.Equal(SettingText.Items(text), SshHost.ParseList("hosts", text, "deploy", 22).Select(h => h.Display));
    }

    [Fact]
    public void A_duration_reads_the_same_from_the_inputs_and_from_deploy_yml()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), InputSet.Of(("timeout", "1m30s")).GetDuration("timeout", TimeSpan.Zero));
        Assert.True(SettingText.TryParseDuration("1m30s", out var duration));
        Assert.Equal(TimeSpan.FromSeconds(90), duration);
        Assert.Contains("`timeout` is '30', a number without a unit", Assert.Throws<ConfigurationException>(() => DeployConfig.Parse("staging:\n  runner:\n    timeout: 30\n", ".github/deploy.yml")).Message);
        Assert.Contains("`timeout` is '30', a number without a unit", Assert.Throws<ConfigurationException>(() => InputSet.Of(("timeout", "30")).GetDuration("timeout", TimeSpan.Zero)).Message);
    }
}
