using System.Diagnostics;
using System.Formats.Tar;
using DeployRunner.Handlers.Ssh.Releases;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// A stop's clean-up on a server (<see cref="ReleasePrograms.Abort"/>) against the programs of
/// phase one still running or about to start, with real bash, tar, mkdir and cp. Each program is
/// started as sshd starts it: a session leader (<c>setsid</c>), so that its pid is its group's.
/// The interleavings are forced, not hoped for: a program that starts after the clean-up, a tar
/// blocked half-way through a file, a release renamed by a <see cref="ReleasePrograms.Finish"/>
/// that was already under way.
/// </summary>
public sealed class ReleaseAbortTests : IDisposable
{
    private const string Name = "9-abcdef0";
    private const string Base = "8-0000000";

    private readonly string _root = Directory.CreateTempSubdirectory("deploy-runner-abort-").FullName;

    private string Meta => Path.Combine(_root, ".deploy-runner");

    private string Partial => Path.Combine(_root, "releases", ".partial-" + Name);

    public ReleaseAbortTests()
    {
        Directory.CreateDirectory(Meta);
        Directory.CreateDirectory(Path.Combine(_root, "releases", Base, "dist"));
        File.WriteAllText(Path.Combine(_root, "releases", Base, "dist", "a.txt"), "base");
        File.CreateSymbolicLink(Path.Combine(_root, "current"), $"releases/{Base}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void List(string kind, params string[] entries) =>
        File.WriteAllText(Path.Combine(Meta, $"{Name}.{kind}"), string.Concat(entries.Select(e => e + "\0")));

    private static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "bash", "--noprofile", "--norc", "-c", program, "deploy-runner" }.Concat(arguments)) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, params string[] arguments)
    {
        using var process = Start(program, arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private Task<(int Exit, string Output)> AbortAsync() => RunAsync(ReleasePrograms.Abort, _root, Name);

    private string[] Releases() => Directory.GetFileSystemEntries(Path.Combine(_root, "releases")).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, what);
            await Task.Delay(20);
        }
    }

    private static bool Alive(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_program_that_starts_after_the_stop_makes_nothing_and_leaves_no_pid_list()
    {
        List("dirs", "dist", "dist/new");
        List("link", "dist/a.txt");
        List("exec");
        var (abortExit, abortOutput) = await AbortAsync();
        Assert.True(abortExit == 0, abortOutput);

        // The exec request of Begin was sent before the stop, but the server started it after the clean-up.
        var (exit, output) = await RunAsync(ReleasePrograms.Begin, _root, Name, Base);

        Assert.Equal(7, exit);
        Assert.Contains("this release was stopped", output);
        Assert.Equal([Base], Releases());
        Assert.False(File.Exists(Path.Combine(Meta, Name + ".pids")));
        // The same for the tar stream and Finish.
        Assert.Equal(7, (await RunAsync(ReleaseTarStream.Extract, _root, Name)).Exit);
        Assert.Equal(7, (await RunAsync(ReleasePrograms.Finish, _root, Name)).Exit);
        Assert.Equal([Base], Releases());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tar_blocked_half_way_through_a_file_is_killed_with_its_shell_and_the_partial_release_is_gone()
    {
        Directory.CreateDirectory(Partial);
        using var extract = Start(ReleaseTarStream.Extract, _root, Name);
        // One file of 64 MiB announced, 1 MiB of it sent: tar is waiting for the rest, as after a stop that closed nothing yet.
        var header = new MemoryStream();
        await using (var writer = new TarWriter(header, TarEntryFormat.Pax, leaveOpen: true))
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "big.bin") { DataStream = new MemoryStream(new byte[64 * 1024 * 1024]) });
        await extract.StandardInput.BaseStream.WriteAsync(header.GetBuffer().AsMemory(0, 1024 + 1024 * 1024));
        await extract.StandardInput.BaseStream.FlushAsync();
        await EventuallyAsync(() => File.Exists(Path.Combine(Partial, "big.bin")), "tar did not start writing big.bin");
        var tar = SshServers.Run("pgrep", "-g", extract.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-x", "tar").Trim();
        Assert.NotEmpty(tar);

        var (exit, output) = await AbortAsync();

        Assert.True(exit == 0, output);
        Assert.True(extract.WaitForExit(5_000), "the shell of the tar stream outlived the clean-up");
        // Dead: gone, or a zombie waiting for whoever adopted it (its shell was killed with it).
        await EventuallyAsync(() => !Alive(tar), $"tar (pid {tar}) outlived the clean-up");
        Assert.Equal([Base], Releases());
        await EventuallyAsync(() => !Directory.EnumerateDirectories(Meta, ".removing-*").Any(), "the partial release set aside was not deleted");
        Assert.Empty(Directory.GetFiles(Meta, Name + ".*"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pid_reused_by_another_program_is_left_alone()
    {
        Directory.CreateDirectory(Partial);
        using var other = Start("sleep 30");
        other.StandardInput.Close();
        await EventuallyAsync(() => File.Exists($"/proc/{other.Id}/cmdline") && File.ReadAllText($"/proc/{other.Id}/cmdline").Contains("sleep", StringComparison.Ordinal), "sleep did not start");
        File.WriteAllText(Path.Combine(Meta, Name + ".pids"), $"{other.Id}\nnot-a-pid\n");

        var (exit, output) = await AbortAsync();

        Assert.True(exit == 0, output);
        Assert.False(other.HasExited, "the clean-up killed a program that is not the release's");
        Assert.Equal([Base], Releases());
        other.Kill(entireProcessTree: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_release_a_finish_under_way_named_goes_too_but_never_the_live_one()
    {
        Directory.CreateDirectory(Path.Combine(_root, "releases", Name));
        File.WriteAllText(Path.Combine(Meta, Name + ".manifest"), "m");

        var (exit, output) = await AbortAsync();

        Assert.True(exit == 0, output);
        Assert.Equal([Base], Releases());
        Assert.False(File.Exists(Path.Combine(Meta, Name + ".manifest")));

        // The live release keeps its folder and manifest whatever a clean-up is asked to remove.
        File.WriteAllText(Path.Combine(Meta, Base + ".manifest"), "m");
        var (liveExit, liveOutput) = await RunAsync(ReleasePrograms.Abort, _root, Base);
        Assert.True(liveExit == 0, liveOutput);
        Assert.Equal([Base], Releases());
        Assert.True(File.Exists(Path.Combine(Meta, Base + ".manifest")));
        Assert.Equal("base", File.ReadAllText(Path.Combine(_root, "current", "dist", "a.txt")));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_next_run_that_takes_the_lock_clears_the_stop_so_a_retry_of_the_same_release_starts()
    {
        List("dirs", "dist");
        List("link", "dist/a.txt");
        List("exec");
        Assert.Equal(0, (await AbortAsync()).Exit);
        Directory.CreateDirectory(Path.Combine(Meta, $".removing-{Name}.1.1", "left"));

        var (lockExit, lockOutput) = await RunAsync(ReleasePrograms.Lock, _root, "retry", "600");
        Assert.True(lockExit == 0, lockOutput);
        List("dirs", "dist");
        List("link", "dist/a.txt");
        List("exec");
        var (exit, output) = await RunAsync(ReleasePrograms.Begin, _root, Name, Base);

        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(Partial, "dist", "a.txt")));
        await EventuallyAsync(() => !Directory.EnumerateDirectories(Meta, ".removing-*").Any(), "what an earlier clean-up set aside was not deleted");
    }
}
