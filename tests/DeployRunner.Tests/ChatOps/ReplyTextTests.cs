using DeployRunner.ChatOps;

namespace DeployRunner.Tests.ChatOps;

/// <summary>Untrusted text in a reply comment: no Markdown, no HTML, no mentions, no links, one line, bounded.</summary>
public sealed class ReplyTextTests
{
    private const char Zwsp = '\u200B';

    [Theory]
    [InlineData("[click](https://evil.example)", "\\[click\\]\\(https\u200B://evil.\u200Bexample\\)")]
    [InlineData("@org/team", "@\u200Borg/team")]
    [InlineData("<img src=x onerror=alert(1)>", "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;")]
    [InlineData("`code` **bold** _it_ ~~s~~ # h | t", "\\`code\\` \\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\# h \\| t")]
    [InlineData("line\nbreak\r\n::error::x", "line break  \u200B:\u200B:error\u200B:\u200B:x")]
    [InlineData("www.evil.example", "www.\u200Bevil.\u200Bexample")]
    [InlineData("&amp;", "&amp;amp;")]
    public void Untrusted_text_is_inert(string text, string expected) => Assert.Equal(expected, ReplyText.Inline(text));

    [Fact]
    public void Long_text_is_cut_without_splitting_a_surrogate_pair()
    {
        var text = new string('a', ReplyText.MaxLength - 1) + "😀" + "tail";
        var shown = ReplyText.Inline(text);
        Assert.EndsWith("…", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("tail", shown, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(shown[^2]));
    }

    [Fact]
    public void A_value_is_bold_and_escaped() => Assert.Equal($"**a\\*b@{Zwsp}c**", ReplyText.Value("a*b@c"));
}
