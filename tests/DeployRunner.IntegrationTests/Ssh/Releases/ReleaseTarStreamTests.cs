using System.Diagnostics;
using System.Formats.Tar;
using DeployRunner.Handlers.Ssh.Releases;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// The servers' side of the tar upload is the runner's own program (<see cref="ReleaseTarStream.Extract"/>)
/// run by real bash and the real tar (the same ones the test servers run). The runner never writes
/// such entries, but the extraction must refuse them anyway: a hostile archive writes nothing
/// outside the partial release, and replaces no file that is there (a hard link shared with the
/// previous release).
/// </summary>
public sealed class ReleaseTarStreamTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("deploy-runner-tar-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact(Timeout = 60_000)]
    public async Task A_hostile_archive_writes_nothing_outside_the_partial_release_and_replaces_no_linked_file()
    {
        const string name = "7-abcdef0";
        var partial = Directory.CreateDirectory(Path.Combine(_root, "releases", ".partial-" + name)).FullName;
        var previous = Directory.CreateDirectory(Path.Combine(_root, "releases", "6-0000000")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_root, "..", Path.GetFileName(_root) + "-outside")).FullName;
        var absolute = $"/deploy-runner-tar-test-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllText(Path.Combine(previous, "linked.txt"), "previous release");
            SshServers.Run("ln", Path.Combine(previous, "linked.txt"), Path.Combine(partial, "linked.txt"));

            using var archive = new MemoryStream();
            using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
            {
                void Add(string path, string text) => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
                Add("../escaped.txt", "dot-dot");
                Add($"../../../{Path.GetFileName(outside)}/dotdot.txt", "dot-dot");
                Add($"{absolute}/abs.txt", "absolute");
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "evil") { LinkName = outside });
                Add("evil/through-link.txt", "through a link");
                Add("linked.txt", "overwritten");
                Add("ok/fine.txt", "fine");
            }

            var (exit, output) = await ExtractAsync(archive.ToArray(), name);

            Assert.NotEqual(0, exit);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
            Assert.False(File.Exists(Path.Combine(_root, "releases", "escaped.txt")), output);
            Assert.False(Directory.Exists(absolute), $"{absolute} was written: {output}");
            Assert.Equal("previous release", File.ReadAllText(Path.Combine(previous, "linked.txt")));
            Assert.Equal("fine", File.ReadAllText(Path.Combine(partial, "ok", "fine.txt")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
            if (Directory.Exists(absolute)) Directory.Delete(absolute, recursive: true);
        }
    }

    private async Task<(int Exit, string Output)> ExtractAsync(byte[] archive, string name)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--noprofile", "--norc", "-c", ReleaseTarStream.Extract, "deploy-runner", _root, name }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(archive);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
