namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Runs one of the runner's own small bash programs on a server. Values travel as positional
/// arguments, single-quoted, never spliced into the program text.
/// </summary>
internal static class RemoteShell
{
    public static string Command(string program, params IEnumerable<string> arguments) =>
        $"exec bash --noprofile --norc -c {RemoteCommand.Quote(program)} deploy-runner {string.Join(' ', arguments.Select(RemoteCommand.Quote))}";

    public static async Task<RemoteShellResult> RunAsync(SshConnection connection, string program, IEnumerable<string> arguments, TimeProvider time, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var outcome = await connection.RunAsync(Command(program, arguments), line => { lock (lines) lines.Add(line); }, static () => { }, time, cancellationToken);
        lock (lines) return new RemoteShellResult(outcome.ExitCode, outcome.Cancelled, lines.ToList());
    }
}
