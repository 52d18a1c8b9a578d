using System.Formats.Tar;
using System.Text;
using DeployRunner.ChildProcesses;
using Renci.SshNet.Common;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Sends a release's files as one tar stream over an exec channel of the connection already
/// checked (same session, same host key), unpacked by the server's <c>tar</c> into the partial
/// release: one round trip for the whole tree instead of about four per file over SFTP, which is
/// what makes a first release (nothing to hard-link) slow. The archive is written here, from
/// workspace files only: regular-file entries, release-relative paths (never absolute, never
/// <c>..</c>: UploadSet refused those), no links. The server side refuses them anyway: GNU and BSD
/// tar strip a leading / and skip <c>..</c> members by default, <c>-k</c> never replaces a file
/// that exists (so a file hard-linked from the previous release can never be written through),
/// and <c>--no-same-owner</c> keeps the login user as owner. Modes come from the entries, so exec
/// bits arrive with the files.
/// </summary>
internal static class ReleaseTarStream
{
    /// <summary>$1 root, $2 name: unpack standard input into <c>releases/.partial-NAME</c>.</summary>
    public const string Extract = """
        set -e
        cd -- "$1/releases/.partial-$2"
        exec tar -x -k --no-same-owner -f -
        """;

    /// <summary>Bytes buffered before they go to the channel (a tar header is 512 bytes; one write per header would be a packet each).</summary>
    private const int BufferSize = 256 * 1024;

    private const UnixFileMode RegularMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ExecutableMode = RegularMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static async Task<long> SendAsync(SshConnection connection, string root, string name, IReadOnlyList<ReleaseFile> files, TimeProvider time, CancellationToken cancellationToken)
    {
        using var command = connection.Client.CreateCommand(RemoteShell.Command(Extract, root, name), Encoding.UTF8);
        // ExecuteAsync opens the channel synchronously: off the caller's thread, as SshConnection does.
        var execution = await Task.Factory.StartNew(() => command.ExecuteAsync(CancellationToken.None), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        var messages = new List<string>();
        void Collect(string line)
        {
            lock (messages) messages.Add(line);
        }

        var stdout = OutputLines.PumpOnOwnThread(command.OutputStream, Collect, static () => { }, CancellationToken.None);
        var stderr = OutputLines.PumpOnOwnThread(command.ExtendedOutputStream, Collect, static () => { }, CancellationToken.None);

        // A stop: TERM to tar and the channel closed, on a thread of its own (a write blocked on
        // the channel's window is released by the close).
        await using var onCancel = cancellationToken.Register(() => Task.Factory.StartNew(() =>
        {
            try
            {
                command.CancelAsync(forceKill: false, millisecondsTimeout: 500);
            }
            catch (Exception e) when (e is SshException or InvalidOperationException or ObjectDisposedException)
            {
                // Already finished or disconnected.
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

        long bytes = 0;
        // The channel's input stream blocks on the SSH window: the writing gets a thread of its own.
        var writing = Task.Factory.StartNew(() =>
        {
            using var input = command.CreateInputStream();
            using var buffered = new BufferedStream(input, BufferSize);
            using (var writer = new TarWriter(buffered, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var file in files)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var source = new FileStream(file.Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, file.Path)
                    {
                        DataStream = source,
                        Mode = file.Executable ? ExecutableMode : RegularMode,
                        ModificationTime = File.GetLastWriteTimeUtc(file.Source),
                    });
                    bytes += file.Size;
                }
            }

            buffered.Flush();
            // Disposing the input stream sends EOF: tar finishes and exits.
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        string Said()
        {
            lock (messages) return string.Join(" ", messages.TakeLast(3)).Trim();
        }

        try
        {
            try
            {
                await writing;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is SshException or ObjectDisposedException or IOException or InvalidOperationException)
            {
                // tar stopped reading (it failed, and said why on stderr) or the connection went.
                await Task.WhenAny(execution, Task.Delay(TimeSpan.FromSeconds(2), time, CancellationToken.None));
                throw new ReleaseStepException($"could not send the release as a tar stream: {(Said() is { Length: > 0 } said ? said : e.Message)}");
            }

            await execution.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or SshException or ObjectDisposedException or IOException)
        {
            // Let tar end (TERM, or EOF from the closed channel) before the partial release is
            // removed, so it cannot recreate folders behind that removal; bounded by the stop budget.
            await Task.WhenAny(execution, Task.Delay(TimeSpan.FromSeconds(0.5), time, CancellationToken.None));
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(cancellationToken.IsCancellationRequested ? 0 : 2), time, CancellationToken.None));
        }

        if (command.ExitStatus != 0)
            throw new ReleaseStepException($"could not unpack the release with tar (exit code {command.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}): {(Said() is { Length: > 0 } said ? said : "no message")}");

        return bytes;
    }
}
