using System.Diagnostics;
using System.Runtime.InteropServices;
using CliWrap;
using CliWrap.Builders;

namespace DeployRunner.ChildProcesses;

/// <summary>
/// Runs a process described by a CliWrap <see cref="Command"/>, streaming stdout and stderr as they
/// come (bounded, line by line: <see cref="OutputLines"/>).
/// The process starts in a session (and process group) of its own via <c>setsid</c>, so that a
/// stop reaches everything it started, including background jobs that a walk of the process tree
/// would miss once their parent has exited. On cancellation the group gets SIGTERM (a script's
/// <c>trap</c> can clean up), then SIGKILL after <see cref="GracePeriod"/>.
/// The step ends when the process ends: its output is awaited for <see cref="OutputGrace"/> more,
/// not until every pipe closes (a background daemon started with <c>setsid cmd &amp;</c> keeps
/// them open for as long as it lives). CliWrap's own ExecuteAsync waits for the pipes, hence
/// System.Diagnostics.Process here.
/// </summary>
internal static class ProcessRunner
{
    /// <summary>Short enough that a status still goes out within the Actions runner's 7.5 s window.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>How long output is still read after the process exited (README, "Limits").</summary>
    public static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>After a stop, output is drained for this long at most (the whole stop budget is tight).</summary>
    private static readonly TimeSpan StoppedOutputGrace = TimeSpan.FromSeconds(0.5);

    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    /// <summary>
    /// Runs the command with stdout and stderr both streamed, line by line, to <paramref name="onLine"/>;
    /// <paramref name="onBatchEnd"/> follows each read, for a log that writes in batches.
    /// </summary>
    public static Task<ProcessOutcome> RunAsync(
        Command command,
        Action<string> onLine,
        Action onBatchEnd,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var lines = OutputLines.Target(onLine, onBatchEnd);
        return RunAsync(command.WithStandardOutputPipe(lines).WithStandardErrorPipe(lines), time, cancellationToken);
    }

    /// <summary>Runs the command with the pipes it already has (to capture stdout apart from stderr).</summary>
    public static async Task<ProcessOutcome> RunAsync(
        Command command,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("setsid")
        {
            Arguments = new ArgumentsBuilder().Add(command.TargetFilePath).Build() + (command.Arguments.Length > 0 ? " " + command.Arguments : ""),
            WorkingDirectory = command.WorkingDirPath,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in command.EnvironmentVariables)
        {
            if (value is null) startInfo.Environment.Remove(name);
            else startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        var started = time.GetTimestamp();
        process.Start();
        // setsid execs the command in place (the child is no group leader): its pid is the group's.
        var processGroup = process.Id;

        using var stopReading = new CancellationTokenSource();
        var stdout = command.StandardOutputPipe.CopyFromAsync(process.StandardOutput.BaseStream, stopReading.Token);
        var stderr = command.StandardErrorPipe.CopyFromAsync(process.StandardError.BaseStream, stopReading.Token);
        var stdin = FeedInputAsync(command.StandardInputPipe, process.StandardInput.BaseStream, stopReading.Token);

        await using (cancellationToken.Register(() =>
        {
            Signal(processGroup, SIGTERM);
            _ = Task.Delay(GracePeriod, time).ContinueWith(_ => Signal(processGroup, SIGKILL), TaskScheduler.Default);
        }))
        {
            // SIGKILL ends the process for sure, so this wait is bounded once a stop began.
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var reading = Task.WhenAll(stdout, stderr, stdin);
        var grace = cancellationToken.IsCancellationRequested ? StoppedOutputGrace : OutputGrace;
        var drained = await Task.WhenAny(reading, Task.Delay(grace, time)) == reading;
        if (!drained)
        {
            // Whatever still holds the pipes outlived the process: stop passing its lines on. The
            // reading threads end when the pipes close (or with the runner).
            await stopReading.CancelAsync();
        }

        var cancelled = cancellationToken.IsCancellationRequested;
        return new ProcessOutcome(cancelled ? null : process.ExitCode, cancelled, time.GetElapsedTime(started), OutputLeftOpen: !drained);
    }

    /// <summary>Feeds stdin (kubectl reads manifests there), then closes it; scripts get an empty stdin.</summary>
    private static async Task FeedInputAsync(PipeSource source, Stream input, CancellationToken cancellationToken)
    {
        try
        {
            if (source != PipeSource.Null) await source.CopyToAsync(input, cancellationToken);
        }
        catch (IOException)
        {
            // The process stopped reading (it exited early): what it did not read does not matter.
        }
        finally
        {
            try
            {
                await input.DisposeAsync();
            }
            catch (IOException)
            {
                // Broken pipe on close: the process is gone.
            }
        }
    }

    /// <summary>Signals the whole process group; a group that is already gone is fine.</summary>
    private static void Signal(int processGroup, int signal) => _ = Kill(-processGroup, signal);

    // DllImport (not LibraryImport): two ints need no marshalling, and no unsafe code is needed.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
