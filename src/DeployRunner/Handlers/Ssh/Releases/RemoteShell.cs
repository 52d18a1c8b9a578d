namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Runs one of the runner's own small bash programs on a server. Values travel as positional
/// arguments, single-quoted, never spliced into the program text. What the program prints is kept
/// in memory to be read, so it is bounded: a server's file (the release log, a manifest) is
/// data the runner does not control, and one read whole grew to hundreds of MB per server.
/// </summary>
internal static class RemoteShell
{
    /// <summary>The most a program's answer may hold (its lines, counted in characters), per server.</summary>
    public const long MaxAnswerBytes = 32L * 1024 * 1024;

    public static string Command(string program, params IEnumerable<string> arguments) =>
        $"exec bash --noprofile --norc -c {RemoteCommand.Quote(program)} deploy-runner {string.Join(' ', arguments.Select(RemoteCommand.Quote))}";

    public static async Task<RemoteShellResult> RunAsync(SshConnection connection, string program, IEnumerable<string> arguments, TimeProvider time, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        long kept = 0;
        using var tooMuch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Keep(string line)
        {
            lock (lines)
            {
                if (tooMuch.IsCancellationRequested) return;
                kept += line.Length + 1;
                if (kept > MaxAnswerBytes)
                {
                    // Stop the program (the connection's own stop: TERM, then the channel closed)
                    // rather than read the rest into memory.
                    tooMuch.Cancel();
                    return;
                }

                lines.Add(line);
            }
        }

        var outcome = await connection.RunAsync(Command(program, arguments), Keep, static () => { }, time, tooMuch.Token);
        cancellationToken.ThrowIfCancellationRequested();
        lock (lines)
        {
            if (kept > MaxAnswerBytes)
                throw new ReleaseStepException($"the server answered the runner's own program with more than {MaxAnswerBytes / 1024 / 1024} MiB (the limit per answer); a file under the deploy path's .deploy-runner/ (releases.log or a manifest) is too big: trim it");
            return new RemoteShellResult(outcome.ExitCode, outcome.Cancelled, lines.ToList());
        }
    }
}
