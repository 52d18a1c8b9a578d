using DeployRunner.Configuration;
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
}
