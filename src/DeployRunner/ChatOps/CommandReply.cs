using DeployRunner.Running;

namespace DeployRunner.ChatOps;

/// <summary>How a command ended, for the one reply comment and the job's exit code.</summary>
internal enum ReplyKind
{
    /// <summary>The command did what it said.</summary>
    Done,

    /// <summary>The command was refused (permission, fork, unknown target, checks): nothing happened, and the job did its job.</summary>
    Refused,

    /// <summary>The command could not be carried out (the workflow's setup, the API, the deployment failed).</summary>
    Failed,
}

/// <summary>
/// The one reply a command gets. <see cref="Markdown"/> is already safe: every untrusted value
/// in it went through <see cref="ReplyText"/>. <see cref="LogLine"/> is the same outcome for
/// the job log, printed as untrusted text.
/// </summary>
internal sealed record CommandReply(ReplyKind Kind, string Markdown, string LogLine, int Exit)
{
    public static CommandReply Done(string markdown, string logLine) => new(ReplyKind.Done, markdown, logLine, ExitCodes.Deployed);

    /// <summary>A polite no: the comment asked for something its author may not, or that cannot be done as asked.</summary>
    public static CommandReply Refused(string markdown, string logLine) => new(ReplyKind.Refused, markdown, logLine, ExitCodes.Deployed);

    public static CommandReply Failed(string markdown, string logLine, int exit) => new(ReplyKind.Failed, markdown, logLine, exit);

    /// <summary>The comment's text: the outcome and a link to the run.</summary>
    public string Body(string? runUrl) =>
        Markdown + (runUrl is null ? "" : $"\n\n[Workflow run]({runUrl})");
}
