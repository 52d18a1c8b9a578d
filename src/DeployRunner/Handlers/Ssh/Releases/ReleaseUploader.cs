using System.Text;
using Renci.SshNet;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// Puts an <see cref="UploadSet"/> into <c>releases/.partial-NAME</c> on one server and gives it its
/// real name. Files identical to the current release's (by the manifest: SHA-256, exec flag, size)
/// are copied from it on the server in one exec (never hard-linked: see <see cref="ReleasePrograms.Begin"/>); the rest go as one tar stream over the
/// run's connection (<see cref="ReleaseTarStream"/>), or, on a server without tar, over SFTP into paths that do not exist yet,
/// so every write creates a new inode and no file of an earlier release is ever altered
/// (OPEN with TRUNC on a shared inode would change both).
/// </summary>
internal sealed class ReleaseUploader(SshSettings settings, TimeProvider time)
{
    /// <summary>Files in flight at once on one SFTP session (requests are pipelined; one session per server).</summary>
    private const int FilesInFlight = 8;

    public async Task<UploadStats> UploadAsync(SshConnection connection, ReleaseHistory history, string name, UploadSet upload, IReadOnlyDictionary<string, string> baseManifest, bool serverHasTar, CancellationToken cancellationToken)
    {
        var root = history.Root;
        var meta = $"{root}/.deploy-runner";
        var partial = $"{root}/releases/{ReleaseHistory.PartialPrefix}{name}";
        var unchanged = history.Current is not null ? ReleaseManifest.Unchanged(upload, baseManifest) : [];
        var linked = new HashSet<string>(unchanged.Select(f => f.Path), StringComparer.Ordinal);
        var toSend = upload.Files.Where(f => !linked.Contains(f.Path)).ToList();
        var lists = new List<(string Suffix, byte[] Content)>
        {
            ("dirs", NulSeparated(upload.Directories)),
            ("link", NulSeparated(unchanged.Select(f => f.Path))),
            ("exec", NulSeparated(toSend.Where(f => f.Executable).Select(f => f.Path))),
        };
        if (serverHasTar)
        {
            // Everything over the run's own connection: the lists and the manifest as one small
            // tar stream, the changed files (all of them for a first release) as another. An SFTP
            // session would be a second transport, with a key exchange of its own, per server.
            await ReleaseTarStream.SendListsAsync(connection, root, name, [.. lists, ("manifest-new", Encoding.UTF8.GetBytes(upload.Manifest))], time, cancellationToken);
            await RunAsync(connection, ReleasePrograms.Begin, [root, name, unchanged.Count > 0 ? history.Current! : ""], "prepare the release folder", cancellationToken);
            var sent = toSend.Count == 0 ? 0 : await ReleaseTarStream.SendAsync(connection, root, name, toSend, time, cancellationToken);
            await RunAsync(connection, ReleasePrograms.Finish, [root, name], "finish the release folder", cancellationToken);
            return new UploadStats(toSend.Count, unchanged.Count, sent, UploadRoute.TarStream);
        }

        // No tar on the server: SFTP, file by file, into paths that do not exist yet.
        var route = toSend.Count > unchanged.Count ? UploadRoute.SftpWithoutTar : UploadRoute.Sftp;
        var sftp = await connection.OpenSftpAsync(settings, cancellationToken);
        try
        {
            foreach (var (suffix, content) in lists) await WriteAsync(sftp, $"{meta}/{name}.{suffix}", content, cancellationToken);
            await RunAsync(connection, ReleasePrograms.Begin, [root, name, unchanged.Count > 0 ? history.Current! : ""], "prepare the release folder", cancellationToken);

            long bytes = 0;
            await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = FilesInFlight, CancellationToken = cancellationToken }, async (file, token) =>
            {
                // The path was checked while planning; checked again here, where it becomes a path.
                if (ReleasePath.Problem(file.Path) is { } problem) throw new ReleaseStepException($"refused to send \"{Planning.PathText.Escape(file.Path)}\": {problem}");
                await using var source = new FileStream(file.Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                // Never onto a file that is there: OPEN with CREAT|EXCL (no override) makes a new
                // inode or fails, where TRUNC would rewrite a file hard-linked with an earlier
                // release, and EXCL does not follow a symbolic link at the last part either.
                await sftp.UploadFileAsync(source, $"{partial}/{file.Path}", false, null, token);
                Interlocked.Add(ref bytes, file.Size);
            });

            await WriteAsync(sftp, $"{meta}/{name}.manifest", Encoding.UTF8.GetBytes(upload.Manifest), cancellationToken);
            await RunAsync(connection, ReleasePrograms.Finish, [root, name], "finish the release folder", cancellationToken);
            return new UploadStats(toSend.Count, unchanged.Count, bytes, route);
        }
        finally
        {
            // Closing waits for the server: bounded, on its own thread (a stop has a short budget).
            var closing = Task.Factory.StartNew(sftp.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None));
            _ = closing.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }

    private async Task RunAsync(SshConnection connection, string program, string[] arguments, string what, CancellationToken cancellationToken)
    {
        var result = await RemoteShell.RunAsync(connection, program, arguments, time, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Succeeded) throw new ReleaseStepException($"could not {what}: {result.Message}");
    }

    private static async Task WriteAsync(SftpClient sftp, string path, byte[] content, CancellationToken cancellationToken)
    {
        // These lists are the runner's own files, rewritten per run: delete first, so a
        // leftover from a cancelled run is replaced rather than overwritten in place.
        if (await sftp.ExistsAsync(path, cancellationToken)) await sftp.DeleteFileAsync(path, cancellationToken);
        using var stream = new MemoryStream(content);
        await sftp.UploadFileAsync(stream, path, cancellationToken);
    }

    private static byte[] NulSeparated(IEnumerable<string> paths)
    {
        var builder = new StringBuilder();
        foreach (var path in paths) builder.Append(path).Append('\0');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
