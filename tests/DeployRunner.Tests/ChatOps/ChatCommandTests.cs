using DeployRunner.ChatOps;

namespace DeployRunner.Tests.ChatOps;

/// <summary>A comment's first line read as a command, in Deliverybot's spelling; anything else is conversation.</summary>
public sealed class ChatCommandTests
{
    [Theory]
    [InlineData("/deploy review", "review", null)]
    [InlineData("  /deploy   review  \r\nthanks!", "review", null)]
    [InlineData("/DEPLOY production", "production", null)]
    [InlineData("/deploy main to production", "production", "main")]
    [InlineData("/deploy v1.2.0 TO production", "production", "v1.2.0")]
    [InlineData("/deploy 0123456789abcdef0123456789abcdef01234567 to staging", "staging", "0123456789abcdef0123456789abcdef01234567")]
    public void Deploy_commands_are_read(string body, string target, string? gitRef) =>
        Assert.Equal(new ChatCommand.Deploy(target, gitRef), ChatCommand.Parse(body));

    [Theory]
    [InlineData("/lock production", "production", null, null)]
    [InlineData("/lock production release 1.2 in progress", "production", "release 1.2 in progress", null)]
    [InlineData("/lock production 2h", "production", null, 120)]
    [InlineData("/lock production hotfix 30m", "production", "hotfix", 30)]
    [InlineData("/lock production over the weekend 1d", "production", "over the weekend", 1440)]
    public void Lock_commands_take_a_reason_and_an_expiry_last(string body, string target, string? reason, int? minutes) =>
        Assert.Equal(new ChatCommand.Lock(target, reason, minutes is { } m ? TimeSpan.FromMinutes(m) : null), ChatCommand.Parse(body));

    [Fact]
    public void Unlock_and_locks_are_read()
    {
        Assert.Equal(new ChatCommand.Unlock("production"), ChatCommand.Parse("/unlock production"));
        Assert.Equal(new ChatCommand.ListLocks(), ChatCommand.Parse("/locks"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("LGTM")]
    [InlineData("Looks good, /deploy review when ready")]
    [InlineData("/deployment review")]
    [InlineData("/lockdown")]
    [InlineData("/shrug")]
    [InlineData("> /deploy review")]
    [InlineData("\n/deploy review")]
    public void Anything_else_is_conversation(string body) => Assert.Null(ChatCommand.Parse(body));

    [Theory]
    [InlineData("/deploy")]
    [InlineData("/deploy a b")]
    [InlineData("/deploy main to")]
    [InlineData("/deploy main from production")]
    [InlineData("/deploy a to b to c")]
    [InlineData("/lock")]
    [InlineData("/unlock")]
    [InlineData("/unlock a b")]
    [InlineData("/locks all")]
    [InlineData("/lock production 0m")]
    [InlineData("/lock production 31d")]
    [InlineData("/lock production 9999999d")]
    public void A_command_word_with_words_that_do_not_fit_gets_the_usage(string body)
    {
        var invalid = Assert.IsType<ChatCommand.Invalid>(ChatCommand.Parse(body));
        Assert.StartsWith("`/", invalid.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_past_the_limit_or_with_control_characters_is_not_a_target()
    {
        Assert.IsType<ChatCommand.Invalid>(ChatCommand.Parse("/deploy " + new string('x', ChatCommand.MaxWord + 1)));
        Assert.IsType<ChatCommand.Invalid>(ChatCommand.Parse("/deploy sta\u0001ging"));
        Assert.IsType<ChatCommand.Invalid>(ChatCommand.Parse("/lock sta\u0001ging"));
    }

    [Fact]
    public void A_lock_reason_is_bounded_and_loses_its_control_characters()
    {
        var locked = Assert.IsType<ChatCommand.Lock>(ChatCommand.Parse("/lock production a\u0007b " + new string('r', 1000)));
        Assert.Equal(ChatCommand.MaxReason, locked.Reason!.Length);
        Assert.StartsWith("a b ", locked.Reason, StringComparison.Ordinal);
    }
}
