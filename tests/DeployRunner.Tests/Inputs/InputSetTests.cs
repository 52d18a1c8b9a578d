using DeployRunner.Edge;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Inputs;

public sealed class InputSetTests
{
    [Fact]
    public void Inputs_are_read_from_INPUT_variables_with_hyphens_kept()
    {
        var inputs = InputSet.From(new Dictionary<string, string> { ["INPUT_REMOVE-SCRIPT"] = "echo bye", ["INPUT_SCRIPT"] = "echo hi", ["OTHER"] = "x" }, new Dictionary<string, string>());

        Assert.Equal("echo bye", inputs.Get("remove-script"));
        Assert.Equal("echo hi", inputs.Get("script"));
        Assert.Null(inputs.Get("other"));
    }

    [Fact]
    public void The_command_line_wins_over_the_environment()
    {
        var flags = Assert.IsType<Invocation.Run>(CommandLine.Parse(["--script", "cli", "--timeout=90s", "--dry-run"])).Inputs;

        var inputs = InputSet.From(new Dictionary<string, string> { ["INPUT_SCRIPT"] = "env", ["INPUT_TIMEOUT"] = "5m" }, flags);

        Assert.Equal("cli", inputs.Get("script"));
        Assert.Equal(TimeSpan.FromSeconds(90), inputs.GetDuration("timeout", TimeSpan.Zero));
        Assert.True(inputs.GetBool("dry-run", false));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("840h", 840 * 3600)]
    [InlineData("1.5m", 90)]
    [InlineData("500ms", 0.5)]
    public void Durations_read_as_people_write_them(string text, double seconds)
    {
        Assert.True(SettingText.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    public void Nonsense_durations_are_refused_naming_the_input(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => InputSet.Of(("timeout", text)).GetDuration("timeout", TimeSpan.Zero));
        Assert.Contains("`timeout`", error.Message);
    }

    [Theory]
    [InlineData("45")]
    [InlineData("1.5")]
    public void A_bare_number_is_refused_with_the_units_to_choose_from(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => InputSet.Of(("timeout", text)).GetDuration("timeout", TimeSpan.Zero));

        Assert.Equal($"Input `timeout` is '{text}', a number without a unit: write {text}s, {text}m or {text}h (units: ms, s, m, h).", error.Message);
    }

    [Theory]
    [InlineData("1500h")]
    [InlineData("841h")]
    [InlineData("35000000000000000000h")]
    [InlineData("840h1s")]
    public void A_duration_past_35_days_is_refused_before_anything_starts(string text)
    {
        var error = Assert.Throws<ConfigurationException>(() => InputSet.Of(("timeout", text)).GetDuration("timeout", TimeSpan.Zero));

        Assert.Contains("longer than the maximum of 35 days (840h)", error.Message);
        Assert.StartsWith("Input `timeout`", error.Message);
    }

    [Fact]
    public void Empty_values_count_as_not_given()
    {
        var inputs = InputSet.Of(("script", "   "), ("timeout", ""));

        Assert.Null(inputs.Get("script"));
        Assert.Equal(TimeSpan.FromMinutes(30), inputs.GetDuration("timeout", TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void Raw_values_keep_their_exact_text()
    {
        Assert.Equal("  keep\n", InputSet.Of(("script", "  keep\n")).GetRaw("script"));
    }

    [Fact]
    public void Lists_split_on_newlines_or_on_commas_and_spaces_too()
    {
        var inputs = InputSet.Of(("hosts", "web1, web2\nweb3  web4\n# comment\n"));

        Assert.Equal(["web1", "web2", "web3", "web4"], inputs.GetList("hosts", commasAndSpaces: true));
        Assert.Equal(["web1, web2", "web3  web4"], inputs.GetList("hosts"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("yes", true)]
    [InlineData("0", false)]
    public void Booleans_accept_the_usual_spellings(string text, bool expected) =>
        Assert.Equal(expected, InputSet.Of(("flag", text)).GetBool("flag", !expected));

    [Fact]
    public void A_wrong_boolean_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => InputSet.Of(("fail-fast", "sometimes")).GetBool("fail-fast", true));
        Assert.Contains("`fail-fast`", error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("two")]
    public void Positive_whole_numbers_are_checked(string text) =>
        Assert.Throws<ConfigurationException>(() => InputSet.Of(("max-parallel", text)).GetPositiveInt("max-parallel", 1));
}
