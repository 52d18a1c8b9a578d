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
    /// <summary>
    /// $1 root, $2 name: unpack standard input into <c>releases/.partial-NAME</c>, under the
    /// stop protocol of <see cref="ReleasePrograms.Enter"/>, so that a stop's clean-up
    /// (<see cref="ReleasePrograms.Abort"/>) can end a tar still unpacking before it removes the
    /// folder. tar runs as a child, not by <c>exec</c>: the shell's command line names the release,
    /// which is how the clean-up tells its pid from a reused one, and killing the group takes tar.
    /// </summary>
    public const string Extract = ReleasePrograms.Enter + """
        set -e
        cd -- "$1/releases/.partial-$2"
        tar -x -k --no-same-owner -f -
        exit $?
        """;

    /// <summary>Bytes buffered before they go to the channel (a tar header is 512 bytes; one write per header would be a packet each).</summary>
    private const int BufferSize = 256 * 1024;

    private const UnixFileMode RegularMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ExecutableMode = RegularMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// $1 root, $2 name: unpack standard input (the runner's lists for this release: folders,
    /// unchanged files, exec bits, the manifest) into <c>.deploy-runner/</c>, after removing any
    /// left by an earlier run of the same release (never written through: <c>-k</c>).
    /// </summary>
    public const string ExtractLists = ReleasePrograms.Enter + """
        set -e
        cd -- "$1/.deploy-runner"
        rm -f -- "$2.dirs" "$2.link" "$2.exec" "$2.manifest-new"
        exec tar -x -k --no-same-owner -f -
        """;

    /// <summary>The release's files into <c>releases/.partial-NAME</c>; the bytes of file content sent.</summary>
    public static Task<long> SendAsync(SshConnection connection, string root, string name, IReadOnlyList<ReleaseFile> files, TimeProvider time, CancellationToken cancellationToken) =>
        StreamAsync(connection, RemoteShell.Command(Extract, root, name), "the release", writer =>
        {
            long bytes = 0;
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ReleasePath.Problem(file.Path) is { } problem) throw new ReleaseStepException($"refused to send \"{Planning.PathText.Escape(file.Path)}\": {problem}");
                using var opened = new FileStream(file.Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                using var source = new StopAtNextRead(opened, cancellationToken);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, file.Path)
                {
                    DataStream = source,
                    Mode = file.Executable ? ExecutableMode : RegularMode,
                    ModificationTime = File.GetLastWriteTimeUtc(file.Source),
                });
                bytes += file.Size;
            }

            return bytes;
        }, time, cancellationToken);

    /// <summary>
    /// The runner's lists for release <paramref name="name"/> into <c>.deploy-runner/</c>, as one
    /// small tar stream on the run's connection: no SFTP session (a key exchange of its own) for a
    /// few kilobytes. Each list is named <c>NAME.SUFFIX</c>.
    /// </summary>
    public static Task SendListsAsync(SshConnection connection, string root, string name, IReadOnlyList<(string Suffix, byte[] Content)> lists, TimeProvider time, CancellationToken cancellationToken) =>
        StreamAsync(connection, RemoteShell.Command(ExtractLists, root, name), "the release's lists", writer =>
        {
            foreach (var (suffix, content) in lists)
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{name}.{suffix}")
                {
                    DataStream = new MemoryStream(content, writable: false),
                    Mode = RegularMode,
                });
            }

            return 0L;
        }, time, cancellationToken);

    private static async Task<long> StreamAsync(SshConnection connection, string commandText, string what, Func<TarWriter, long> write, TimeProvider time, CancellationToken cancellationToken)
    {
        using var command = connection.Client.CreateCommand(commandText, Encoding.UTF8);
        // ExecuteAsync opens the channel synchronously: off the caller's thread, as SshConnection does.
        var execution = await Task.Factory.StartNew(() => command.ExecuteAsync(CancellationToken.None), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        var messages = new List<string>();
        void Collect(string line)
        {
            lock (messages)
            {
                // Only the last lines are ever shown: a tar complaining about every member must not fill memory.
                messages.Add(line);
                if (messages.Count > 20) messages.RemoveAt(0);
            }
        }

        var stdout = OutputLines.PumpOnOwnThread(command.OutputStream, Collect, static () => { }, CancellationToken.None);
        var stderr = OutputLines.PumpOnOwnThread(command.ExtendedOutputStream, Collect, static () => { }, CancellationToken.None);

        long bytes = 0;
        // The channel's input stream blocks on the SSH window: the writing gets a thread of its own.
        var writing = Task.Factory.StartNew(() =>
        {
            using var input = command.CreateInputStream();
            using var buffered = new BufferedStream(input, BufferSize);
            using (var writer = new TarWriter(buffered, TarEntryFormat.Pax, leaveOpen: true))
            {
                bytes = write(writer);
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
                throw new ReleaseStepException($"could not send {what} as a tar stream: {(Said() is { Length: > 0 } said ? said : e.Message)}");
            }

            await execution.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or SshException or ObjectDisposedException or IOException)
        {
            // A stop: the writer stops at its next read (StopAtNextRead) and sends EOF. Only then is
            // the channel closed: data sent on a channel after its close makes OpenSSH drop the
            // whole connection, and the clean-up (ReleasePrograms.Abort, which kills a tar still
            // unpacking) needs it. Bounded by the stop budget.
            await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None));
            if (writing.IsCompleted)
            {
                try
                {
                    command.CancelAsync(forceKill: false, millisecondsTimeout: 500);
                }
                catch (Exception ce) when (ce is SshException or InvalidOperationException or ObjectDisposedException)
                {
                    // Already finished or disconnected.
                }
            }

            await Task.WhenAny(execution, Task.Delay(TimeSpan.FromSeconds(0.5), time, CancellationToken.None));
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(cancellationToken.IsCancellationRequested ? 0 : 2), time, CancellationToken.None));
        }

        if (command.ExitStatus != 0)
            throw new ReleaseStepException($"could not unpack {what} with tar (exit code {command.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}): {(Said() is { Length: > 0 } said ? said : "no message")}");

        return bytes;
    }
}

/// <summary>A file read for the tar stream that ends at its next read once the deployment is stopped.</summary>
file sealed class StopAtNextRead(Stream inner, CancellationToken cancellationToken) : Stream
{
    public override bool CanRead => true;

    // TarWriter reads the length and position of an entry's data: a plain file has both.
    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return inner.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return inner.Read(buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
