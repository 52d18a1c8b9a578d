using DeployRunner.Workflow;

namespace DeployRunner.Tests.Workflow;

public sealed class WorkflowCommandsTests
{
    [Fact]
    public void Message_data_escapes_percent_first_then_line_breaks()
    {
        Assert.Equal("100%25 done%0D%0Anext %3A stays", WorkflowCommands.EscapeData("100% done\r\nnext %3A stays").Replace("%253A", "%3A", StringComparison.Ordinal));
        Assert.Equal("a%250A", WorkflowCommands.EscapeData("a%0A"));
    }

    [Fact]
    public void Property_values_also_escape_colons_and_commas()
    {
        Assert.Equal("a%3Ab%2Cc%0A", WorkflowCommands.EscapeProperty("a:b,c\n"));
    }

    [Fact]
    public void A_command_with_properties_is_formatted_as_the_runner_parses_it()
    {
        var line = WorkflowCommands.Format("error", "line1\nline2", [("title", "Deploy: failed, badly")]);

        Assert.Equal("::error title=Deploy%3A failed%2C badly::line1%0Aline2", line);
    }

    [Fact]
    public void Stop_tokens_are_long_and_never_repeat()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => WorkflowCommands.NewStopToken()).ToList();

        Assert.Equal(100, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.True(t.Length >= 32));
    }
}

public sealed class ConsoleWorkflowLogTests
{
    private readonly StringWriter _writer = new();

    private string[] Lines => _writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void A_multi_line_secret_is_masked_line_by_line_and_whole()
    {
        var log = new ConsoleWorkflowLog(_writer, debugEnabled: false);
        var key = "-----BEGIN KEY-----\nAAAAsecretline1\nBBBBsecretline2\n-----END KEY-----\n";

        log.Mask(key);
        log.Info("oops: AAAAsecretline1 leaked");

        Assert.Contains("::add-mask::AAAAsecretline1", Lines);
        Assert.Contains("::add-mask::BBBBsecretline2", Lines);
        Assert.Contains(Lines, l => l.StartsWith("::add-mask::-----BEGIN KEY-----%0AAAAAsecretline1%0A", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines, l => l.Contains("%250A", StringComparison.Ordinal));
        Assert.Contains("oops: *** leaked", Lines);
    }

    [Fact]
    public void Untrusted_text_is_printed_with_workflow_commands_stopped()
    {
        var log = new ConsoleWorkflowLog(_writer, debugEnabled: false);

        log.Untrusted("::error::injected\n::add-mask::x");

        var lines = Lines;
        Assert.StartsWith("::stop-commands::", lines[0]);
        var token = lines[0]["::stop-commands::".Length..];
        Assert.Equal("::error::injected", lines[1]);
        Assert.Equal($"::{token}::", lines[3]);
    }

    [Theory]
    [InlineData("Running deploy\n::error::injected for main")]
    [InlineData("Running ##[error]injected for main")]
    public void Runner_lines_that_quote_hostile_values_cannot_issue_commands(string message)
    {
        var log = new ConsoleWorkflowLog(_writer, debugEnabled: false);

        log.Info(message);

        var lines = Lines;
        Assert.StartsWith("::stop-commands::", lines[0]);
        Assert.Equal($"::{lines[0]["::stop-commands::".Length..]}::", lines[^1]);
    }

    [Fact]
    public void Plain_runner_lines_are_printed_as_they_are()
    {
        new ConsoleWorkflowLog(_writer, debugEnabled: false).Info("Deploying main to staging");

        Assert.Equal(["Deploying main to staging"], Lines);
    }

    [Fact]
    public void Error_messages_cannot_break_out_of_their_command()
    {
        var log = new ConsoleWorkflowLog(_writer, debugEnabled: false);

        log.Error("bad\n::add-mask::nothing", "title: with, punctuation");

        var line = Assert.Single(Lines);
        Assert.Equal("::error title=title%3A with%2C punctuation::bad%0A::add-mask::nothing", line);
    }

    [Fact]
    public void Debug_lines_appear_only_with_debug_logging_on()
    {
        new ConsoleWorkflowLog(_writer, debugEnabled: false).Debug("hidden");
        Assert.Empty(Lines);
        new ConsoleWorkflowLog(_writer, debugEnabled: true).Debug("shown");
        Assert.Equal(["::debug::shown"], Lines);
    }
}

public sealed class WorkflowFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("workflow-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Single_line_values_use_name_equals_value()
    {
        Assert.Equal("status=success\n", WorkflowFiles.FormatKeyValue("status", "success"));
    }

    [Fact]
    public void Multi_line_values_use_a_random_delimiter_and_LF_only()
    {
        var text = WorkflowFiles.FormatKeyValue("results", "line1\r\nline2\rline3");
        var lines = text.Split('\n');

        Assert.StartsWith("results<<ghadelimiter_", lines[0]);
        var delimiter = lines[0]["results<<".Length..];
        Assert.Equal(["line1", "line2", "line3", delimiter, ""], lines[1..]);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void Output_names_that_would_corrupt_the_file_are_refused()
    {
        Assert.Throws<ArgumentException>(() => WorkflowFiles.FormatKeyValue("a=b", "x"));
        Assert.Throws<ArgumentException>(() => WorkflowFiles.FormatKeyValue("a\nb", "x"));
    }

    [Fact]
    public async Task Outputs_and_state_append_to_their_files()
    {
        var files = new WorkflowFiles(Path.Combine(_dir, "out"), Path.Combine(_dir, "state"), Path.Combine(_dir, "summary"));

        await files.SetOutputAsync("a", "1", CancellationToken.None);
        await files.SetOutputAsync("b", "x\ny", CancellationToken.None);
        await files.SaveStateAsync("posted", "in_progress", CancellationToken.None);

        var output = await File.ReadAllTextAsync(Path.Combine(_dir, "out"));
        Assert.StartsWith("a=1\nb<<ghadelimiter_", output);
        Assert.Equal("posted=in_progress\n", await File.ReadAllTextAsync(Path.Combine(_dir, "state")));
    }

    [Fact]
    public async Task A_summary_that_would_pass_the_1_MiB_limit_is_replaced_by_a_note()
    {
        var path = Path.Combine(_dir, "summary");
        await File.WriteAllTextAsync(path, new string('x', WorkflowFiles.MaxSummaryBytes - 10));
        var files = new WorkflowFiles(null, null, path);

        await files.AppendSummaryAsync(new string('y', 100), CancellationToken.None);

        var text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("yyyy", text);
        Assert.Contains("1 MiB", text);
    }

    [Fact]
    public async Task Without_paths_nothing_is_written()
    {
        await WorkflowFiles.None.SetOutputAsync("a", "b", CancellationToken.None);
        await WorkflowFiles.None.AppendSummaryAsync("x", CancellationToken.None);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}

public sealed class MarkdownTextTests
{
    [Fact]
    public void Untrusted_text_cannot_add_cells_links_or_html()
    {
        var cell = MarkdownText.Cell("a | b [x](http://evil) <img src=x>\nnext");

        Assert.Equal("a \\| b \\[x\\]\\(http://evil\\) &lt;img src=x&gt; next", cell);
    }
}

public sealed class SecretMaskingTests
{
    [Fact]
    public void Key_inputs_are_masked_line_by_line_but_a_kubeconfig_document_only_whole()
    {
        var writer = new StringWriter();
        var log = new ConsoleWorkflowLog(writer, debugEnabled: false);
        var inputs = DeployRunner.Inputs.InputSet.Of(
            ("ssh-key", "-----BEGIN KEY-----\nsecretkeyline\n-----END KEY-----"),
            ("kubeconfig", "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: abc123token"));

        DeployRunner.Configuration.SettingCatalog.MaskSecrets(inputs, log);

        var masks = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("::add-mask::secretkeyline", masks);
        Assert.DoesNotContain("::add-mask::kind: Config", masks);
        Assert.DoesNotContain("::add-mask::apiVersion: v1", masks);
        Assert.Contains(masks, m => m.StartsWith("::add-mask::apiVersion: v1%0Akind: Config", StringComparison.Ordinal));
    }
}
