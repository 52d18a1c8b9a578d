namespace DeployRunner.Workflow;

/// <summary>
/// Writes the job log to a <see cref="TextWriter"/> (stdout in production). Thread-safe: the ssh
/// handler writes from several hosts at once, and a line is never interleaved with another.
/// The writer should not flush by itself (Program gives it a buffered stdout): script output is
/// batched, everything else is flushed at once.
/// Outside GitHub Actions (<paramref name="workflowCommands"/> false) nobody reads workflow
/// commands: secrets are only redacted (an <c>::add-mask::</c> line would print them in clear),
/// annotations and groups are plain text, and untrusted text needs no <c>::stop-commands::</c>,
/// so a local run's output is safe to paste into a ticket.
/// </summary>
internal sealed class ConsoleWorkflowLog(TextWriter writer, bool debugEnabled, bool workflowCommands = true) : IWorkflowLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _secrets = [];

    public void Mask(string secret, bool eachLine = true)
    {
        if (string.IsNullOrEmpty(secret)) return;
        // The whole value (escaped by Format, unescaped by the runner), then each line.
        var pieces = new List<string> { secret };
        if (eachLine && (secret.Contains('\n') || secret.Contains('\r')))
            pieces.AddRange(secret.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        lock (_gate)
        {
            foreach (var piece in pieces.Where(p => p.Length >= 4).Distinct(StringComparer.Ordinal))
            {
                if (_secrets.Contains(piece)) continue;
                _secrets.Add(piece);
                if (workflowCommands) writer.WriteLine(WorkflowCommands.Format("add-mask", piece));
            }

            _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
            writer.Flush();
        }
    }

    public void Info(string message)
    {
        // Runner lines quote deployment values (a task name, an environment, a ref). A line break
        // in one would let the next line start a `::command::`, and the runner honours legacy
        // `##[command]` anywhere in a line: such a message goes out with commands stopped.
        if (message.Contains('\n') || message.Contains('\r') || message.Contains("##[", StringComparison.Ordinal))
            Untrusted(message);
        else
            WriteLine(Redact(message));
    }

    public void Debug(string message)
    {
        if (debugEnabled) WriteLine(workflowCommands ? WorkflowCommands.Format("debug", Redact(message)) : "Debug: " + Redact(message));
    }

    public void Warning(string message, string? title = null) => Annotate("warning", message, title);

    public void Error(string message, string? title = null) => Annotate("error", message, title);

    public void Untrusted(string text)
    {
        if (!workflowCommands)
        {
            WriteLine(Redact(text));
            return;
        }

        var token = WorkflowCommands.NewStopToken();
        lock (_gate)
        {
            writer.WriteLine($"::stop-commands::{token}");
            writer.WriteLine(Redact(text));
            writer.WriteLine($"::{token}::");
            writer.Flush();
        }
    }

    /// <summary>
    /// Buffered: a chatty script's lines go out in batches (<see cref="FlushOutput"/> after each
    /// read of its output), not one write per line. Every other kind of line flushes, so the
    /// order stays the order of the calls.
    /// </summary>
    public void Output(string line)
    {
        var text = Redact(line);
        lock (_gate) writer.WriteLine(text);
    }

    public void FlushOutput()
    {
        lock (_gate) writer.Flush();
    }

    /// <summary>Outside Actions nothing reads workflow commands: no block markers to show.</summary>
    public string BeginUntrustedBlock()
    {
        if (!workflowCommands) return "";
        var token = WorkflowCommands.NewStopToken();
        WriteLine($"::stop-commands::{token}");
        return token;
    }

    public void EndUntrustedBlock(string token)
    {
        if (workflowCommands) WriteLine($"::{token}::");
    }

    public void StartGroup(string title) => WriteLine(workflowCommands ? WorkflowCommands.Format("group", Redact(title)) : $"== {Redact(title)}");

    public void EndGroup()
    {
        if (workflowCommands) WriteLine("::endgroup::");
    }

    private void Annotate(string command, string message, string? title)
    {
        if (!workflowCommands)
        {
            var label = command == "error" ? "Error" : "Warning";
            WriteLine(title is null ? $"{label}: {Redact(message)}" : $"{label} ({Redact(title)}): {Redact(message)}");
            return;
        }

        var properties = title is null ? null : new[] { ("title", Redact(title)) };
        WriteLine(WorkflowCommands.Format(command, Redact(message), properties));
    }

    /// <summary>
    /// The runner masks registered secrets on its side; this second pass keeps them out of local
    /// runs and out of anything the Actions runner would miss (a secret split across writes).
    /// </summary>
    private string Redact(string text)
    {
        lock (_gate)
        {
            foreach (var secret in _secrets)
                text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
