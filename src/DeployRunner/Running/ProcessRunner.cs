using CliWrap;

namespace DeployRunner.Running;

/// <summary>How a process ended.</summary>
public sealed record ProcessOutcome(int? ExitCode, bool Cancelled, TimeSpan Duration);

/// <summary>
/// Runs a process through CliWrap, streaming stdout and stderr line by line as they come.
/// On cancellation the process gets SIGINT (so a script's <c>trap</c> can clean up), then,
/// after <see cref="GracePeriod"/>, its whole process tree is killed.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Short enough that a status still goes out within the runner's 7.5 s window.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    public static async Task<ProcessOutcome> RunAsync(
        Command command,
        Action<string> onLine,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var forceful = new CancellationTokenSource();
        await using var escalate = cancellationToken.Register(() => forceful.CancelAfter(GracePeriod));
        var started = time.GetTimestamp();
        try
        {
            var result = await command
                .WithStandardOutputPipe(PipeTarget.ToDelegate(onLine))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(onLine))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(forceful.Token, cancellationToken);
            return new ProcessOutcome(result.ExitCode, cancellationToken.IsCancellationRequested, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ProcessOutcome(null, true, time.GetElapsedTime(started));
        }
    }
}
