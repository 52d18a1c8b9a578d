using System.Runtime.InteropServices;
using CliWrap;
using CliWrap.Builders;

namespace DeployRunner.Running;

/// <summary>How a process ended.</summary>
public sealed record ProcessOutcome(int? ExitCode, bool Cancelled, TimeSpan Duration);

/// <summary>
/// Runs a process through CliWrap, streaming stdout and stderr line by line as they come.
/// The process starts in a session (and process group) of its own via <c>setsid</c>, so that a
/// stop reaches everything it started, including background jobs that a walk of the process tree
/// would miss once their parent has exited. On cancellation the group gets SIGTERM (a script's
/// <c>trap</c> can clean up), then SIGKILL after <see cref="GracePeriod"/>.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Short enough that a status still goes out within the Actions runner's 7.5 s window.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    /// <summary>Runs the command with stdout and stderr both streamed, line by line, to <paramref name="onLine"/>.</summary>
    public static Task<ProcessOutcome> RunAsync(
        Command command,
        Action<string> onLine,
        TimeProvider time,
        CancellationToken cancellationToken) =>
        RunAsync(command.WithStandardOutputPipe(PipeTarget.ToDelegate(onLine)).WithStandardErrorPipe(PipeTarget.ToDelegate(onLine)), time, cancellationToken);

    /// <summary>Runs the command with the pipes it already has (to capture stdout apart from stderr).</summary>
    public static async Task<ProcessOutcome> RunAsync(
        Command command,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var grouped = command
            .WithTargetFile("setsid")
            .WithArguments(new ArgumentsBuilder().Add(command.TargetFilePath).Build() + (command.Arguments.Length > 0 ? " " + command.Arguments : ""))
            .WithValidation(CommandResultValidation.None);

        // Last resort only: CliWrap's own kill if the group ignores even SIGKILL's aftermath
        // (a grandchild that left the group holding our pipes open).
        using var lastResort = new CancellationTokenSource();
        var started = time.GetTimestamp();
        var execution = grouped.ExecuteAsync(lastResort.Token);
        var processGroup = execution.ProcessId;

        await using var onCancel = cancellationToken.Register(() =>
        {
            Signal(processGroup, SIGTERM);
            _ = Task.Delay(GracePeriod, time).ContinueWith(_ => Signal(processGroup, SIGKILL), TaskScheduler.Default);
            lastResort.CancelAfter(GracePeriod + TimeSpan.FromSeconds(1));
        });

        try
        {
            var result = await execution;
            return new ProcessOutcome(result.ExitCode, cancellationToken.IsCancellationRequested, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ProcessOutcome(null, true, time.GetElapsedTime(started));
        }
    }

    /// <summary>Signals the whole process group; a group that is already gone is fine.</summary>
    private static void Signal(int processGroup, int signal) => _ = Kill(-processGroup, signal);

    // DllImport (not LibraryImport): two ints need no marshalling, and no unsafe code is needed.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
