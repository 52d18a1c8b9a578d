namespace DeployRunner.Workflow;

/// <summary>
/// The job log. Everything the runner prints goes through here, so that secrets are masked
/// first and untrusted text can never become a workflow command.
/// </summary>
internal interface IWorkflowLog
{
    /// <summary>
    /// Registers a secret with the Actions runner (<c>::add-mask::</c>) and with this log. The
    /// runner matches masks line by line, so a multi-line secret (a private key) is registered
    /// line by line too, unless <paramref name="eachLine"/> is false (a document such as a
    /// kubeconfig, whose handler masks the credentials inside it).
    /// </summary>
    void Mask(string secret, bool eachLine = true);

    /// <summary>A line the runner itself wrote (no untrusted text in it).</summary>
    void Info(string message);

    void Debug(string message);

    void Warning(string message, string? title = null);

    /// <summary>An error annotation. The message may contain untrusted text: it is escaped.</summary>
    void Error(string message, string? title = null);

    /// <summary>
    /// Text that came from outside (the event, a server, kubectl): printed with workflow commands
    /// switched off, so a line such as <c>::set-output</c> in it stays plain text.
    /// </summary>
    void Untrusted(string text);

    /// <summary>One line of a deploy script's output, as it comes; it may wait in a buffer until <see cref="FlushOutput"/>.</summary>
    void Output(string line);

    /// <summary>Sends the output lines buffered so far (called whenever a process's output pauses).</summary>
    void FlushOutput()
    {
    }

    /// <summary>
    /// Opens a block of untrusted lines that stream in through <see cref="Output"/> (a child
    /// process's output): workflow commands are stopped until <see cref="EndUntrustedBlock"/>.
    /// </summary>
    string BeginUntrustedBlock()
    {
        var token = WorkflowCommands.NewStopToken();
        Output($"::stop-commands::{token}");
        return token;
    }

    void EndUntrustedBlock(string token) => Output($"::{token}::");

    void StartGroup(string title);

    void EndGroup();
}
