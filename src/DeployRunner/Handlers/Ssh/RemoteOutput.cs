using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// One server's output as the ssh handler shows it, for the plain script and for release scripts
/// and hooks alike: each line with the host in front, so <c>::command::</c> never starts a line;
/// a line holding the legacy <c>##[command]</c> form (honoured anywhere in a line) goes out with
/// workflow commands switched off; the last lines are kept for the failure's annotation.
/// </summary>
internal sealed class RemoteOutput(IWorkflowLog log, string host)
{
    /// <summary>Lines of a failed script's output shown in its annotation.</summary>
    public const int TailLines = 5;

    private readonly OutputTail _tail = new(TailLines);

    /// <summary>Runs <paramref name="commandText"/> with its output shown as it comes.</summary>
    public Task<RemoteOutcome> RunAsync(SshConnection connection, string commandText, TimeProvider time, CancellationToken cancellationToken) =>
        connection.RunAsync(commandText, Write, log.FlushOutput, time, cancellationToken);

    public void Write(string line)
    {
        var text = $"{host} | {line}";
        if (line.Contains("##[", StringComparison.Ordinal)) log.Untrusted(text);
        else log.Output(text);
        _tail.Add(line);
    }

    /// <summary>"Last output:" and the last lines, or nothing if the server printed none.</summary>
    public string LastLines => _tail.Format();
}
