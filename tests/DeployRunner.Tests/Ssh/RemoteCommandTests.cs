using System.Text;
using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

public sealed class RemoteCommandTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", @"'it'\''s'")]
    [InlineData("", "''")]
    [InlineData("$(rm -rf /) `id` ${HOME} \\ \"", "'$(rm -rf /) `id` ${HOME} \\ \"'")]
    public void Values_are_single_quoted_with_only_the_quote_itself_escaped(string value, string quoted) =>
        Assert.Equal(quoted, RemoteCommand.Quote(value));

    [Theory]
    [InlineData("it's \"quoted\" $(touch /tmp/x) `id` \n second line \t '\\'' ; exit 7 # ünïcødé")]
    [InlineData("''''")]
    [InlineData("\n\n")]
    public void A_quoted_value_reads_back_byte_for_byte_as_a_POSIX_shell_reads_single_quotes(string value) =>
        Assert.Equal(value, ReadPosixWord(RemoteCommand.Quote(value)));

    [Fact]
    public void Deployment_variables_become_sorted_export_lines_ahead_of_the_script()
    {
        var text = RemoteCommand.ScriptWithExports("echo hi", new Dictionary<string, string>
        {
            ["DEPLOY_REF"] = "main",
            ["DEPLOY_PAYLOAD_NOTE"] = "a'b",
        });

        Assert.Equal("export DEPLOY_PAYLOAD_NOTE='a'\\''b'\nexport DEPLOY_REF='main'\necho hi", text);
    }

    [Fact]
    public void Names_that_are_not_shell_names_and_NUL_bytes_are_left_out()
    {
        var text = RemoteCommand.ScriptWithExports("true", new Dictionary<string, string>
        {
            ["BAD NAME; rm -rf /"] = "x",
            ["DEPLOY_X"] = "a\0b",
        });

        Assert.Equal("export DEPLOY_X='ab'\ntrue", text);
    }

    [Fact]
    public void The_command_runs_the_script_under_the_supervisor_with_bash_e_and_pipefail()
    {
        var command = RemoteCommand.Build("echo hi", new Dictionary<string, string>());

        Assert.StartsWith("exec bash --noprofile --norc -c '", command, StringComparison.Ordinal);
        Assert.Contains("-e -o pipefail", RemoteCommand.Supervisor);
        Assert.Contains("kill -KILL", RemoteCommand.Supervisor);
        Assert.EndsWith(" deploy-runner 'echo hi'", command, StringComparison.Ordinal);
    }

    /// <summary>A reader for one word made only of '...' parts and \' escapes, as sh reads it.</summary>
    private static string ReadPosixWord(string word)
    {
        var result = new StringBuilder();
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] == '\'')
            {
                var close = word.IndexOf('\'', i + 1);
                Assert.True(close > i, "unterminated quote");
                result.Append(word, i + 1, close - i - 1);
                i = close;
            }
            else
            {
                Assert.Equal('\\', word[i]);
                result.Append(word[++i]);
            }
        }

        return result.ToString();
    }
}
