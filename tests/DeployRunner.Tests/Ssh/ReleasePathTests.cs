using DeployRunner.Handlers.Ssh.Releases;
using DeployRunner.Planning;

namespace DeployRunner.Tests.Ssh;

public sealed class ReleasePathTests
{
    [Theory]
    [InlineData(@"x\..\..\..\current\f1.txt", "backslash")]
    [InlineData(@"dist\app.js", "backslash")]
    [InlineData("../outside.txt", "`..` part")]
    [InlineData("dist/../../outside.txt", "`..` part")]
    [InlineData("dist/..", "`..` part")]
    [InlineData("./dist/a.txt", "`.` part")]
    [InlineData("dist/./a.txt", "`.` part")]
    [InlineData("dist//a.txt", "empty part")]
    [InlineData("dist/", "empty part")]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("new\nline.txt", "control character")]
    [InlineData("carriage\rreturn.txt", "control character")]
    [InlineData("tab\t.txt", "control character")]
    [InlineData("bell\u0007.txt", "control character")]
    [InlineData("esc\u001b[31m.txt", "control character")]
    [InlineData("del\u007f.txt", "control character")]
    [InlineData("nel\u0085.txt", "control character")]
    [InlineData("line\u2028sep.txt", "line separator")]
    [InlineData("bad\uFFFD.txt", "not valid UTF-8")]
    [InlineData("lone\uD800.txt", "not valid UTF-8")]
    public void A_path_that_could_leave_the_release_or_break_a_list_is_refused(string path, string reason)
    {
        Assert.Contains(reason, ReleasePath.Problem(path));
    }

    [Fact]
    public void Names_too_long_for_the_server_are_refused()
    {
        Assert.Contains("longer than 255 bytes", ReleasePath.Problem("dist/" + new string('a', 256)));
        // 128 two-byte characters are 256 bytes: the limit is the file system's, in bytes.
        Assert.Contains("longer than 255 bytes", ReleasePath.Problem("dist/" + new string('é', 128)));
        Assert.Contains("longer than 3072 bytes", ReleasePath.Problem(string.Join('/', Enumerable.Repeat(new string('a', 200), 16))));
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("dist/app.js")]
    [InlineData(".env")]
    [InlineData("dist/..hidden")]
    [InlineData("dist/...")]
    [InlineData("-rf")]
    [InlineData("dist/--help.txt")]
    [InlineData("name with spaces/and 'quotes' \"too\".txt")]
    [InlineData("$(reboot)`id`;|&.txt")]
    [InlineData("café/ünïcödé/日本語/😀.txt")]
    [InlineData("*?[glob].txt")]
    public void Ordinary_names_are_release_paths(string path)
    {
        Assert.Null(ReleasePath.Problem(path));
    }

    [Fact]
    public void The_refusal_names_the_file_escaped_on_one_line()
    {
        var error = Assert.Throws<ConfigurationException>(() => ReleasePath.Check("dist/a\nb\u001b[2J\\c\uFFFD😀.txt"));

        Assert.Contains(@"""dist/a\nb\u001b[2J\\c\ufffd😀.txt""", error.Message);
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Equal("upload", error.Setting);
    }

    [Fact]
    public void Escaping_keeps_ordinary_text_and_marks_everything_else()
    {
        Assert.Equal("dist/app.js", PathText.Escape("dist/app.js"));
        Assert.Equal(@"a\tb\rc\\d\""e\u0000\ud800", PathText.Escape("a\tb\rc\\d\"e\0\uD800"));
    }
}
