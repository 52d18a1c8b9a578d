using System.Diagnostics;
using DeployRunner.Handlers.Ssh.Releases;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// The servers' side of starting a release is the runner's own program
/// (<see cref="ReleasePrograms.Begin"/>) run by real bash, <c>mkdir</c>, <c>cp</c> and <c>find</c>.
/// The runner never writes such lists, but a server checks them again: a list entry that is not
/// a plain path inside the release creates nothing anywhere, and a base release whose files
/// became symbolic links is never copied through.
/// </summary>
public sealed class ReleaseBeginTests : IDisposable
{
    private const string Name = "9-abcdef0";
    private const string Base = "8-0000000";

    private readonly string _root = Directory.CreateTempSubdirectory("deploy-runner-begin-").FullName;

    public ReleaseBeginTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, ".deploy-runner"));
        Directory.CreateDirectory(Path.Combine(_root, "releases", Base, "dist"));
        File.WriteAllText(Path.Combine(_root, "releases", Base, "dist", "a.txt"), "base");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void List(string kind, params string[] entries) =>
        File.WriteAllText(Path.Combine(_root, ".deploy-runner", $"{Name}.{kind}"), string.Concat(entries.Select(e => e + "\0")));

    private async Task<(int Exit, string Output)> BeginAsync()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--noprofile", "--norc", "-c", ReleasePrograms.Begin, "deploy-runner", _root, Name, Base }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("dirs", "../../escaped")]
    [InlineData("dirs", "dist/../../../escaped")]
    [InlineData("dirs", "/tmp/deploy-runner-begin-absolute")]
    [InlineData("dirs", "dist//x")]
    [InlineData("dirs", "dist/./x")]
    [InlineData("dirs", "")]
    [InlineData("dirs", @"x\..\..\escaped")]
    [InlineData("link", "../../escaped.txt")]
    [InlineData("exec", "../../escaped.txt")]
    public async Task A_list_entry_that_is_not_a_plain_path_inside_the_release_is_refused_and_nothing_is_made(string kind, string entry)
    {
        List("dirs", "dist");
        List("link");
        List("exec");
        List(kind, "dist", entry);

        var (exit, output) = await BeginAsync();

        Assert.Equal(6, exit);
        Assert.Contains("is not a plain path inside the release", output);
        Assert.False(Directory.Exists(Path.Combine(_root, "releases", ".partial-" + Name)), output);
        Assert.False(Directory.Exists("/tmp/deploy-runner-begin-absolute"));
        // Wherever an entry could have led: nothing new next to or above the release folders.
        Assert.Equal([".deploy-runner", "releases"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([Base], Directory.GetFileSystemEntries(Path.Combine(_root, "releases")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(Path.Exists(Path.Combine(Path.GetDirectoryName(_root)!, "escaped")));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_base_release_file_turned_into_a_link_is_refused_not_linked()
    {
        var outside = Path.Combine(_root, "outside.txt");
        File.WriteAllText(outside, "outside");
        File.Delete(Path.Combine(_root, "releases", Base, "dist", "a.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "releases", Base, "dist", "a.txt"), outside);
        List("dirs", "dist");
        List("link", "dist/a.txt");
        List("exec");

        var (exit, output) = await BeginAsync();

        Assert.Equal(6, exit);
        Assert.Contains("is a symbolic link", output);
        Assert.Equal("1", SshServers.Run("stat", "-c", "%h", outside).Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "releases", ".partial-" + Name)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_base_release_folder_turned_into_a_link_is_refused_not_linked_through()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "a.txt"), "outside");
        Directory.Delete(Path.Combine(_root, "releases", Base, "dist"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(_root, "releases", Base, "dist"), outside);
        List("dirs", "dist");
        List("link", "dist/a.txt");
        List("exec");

        var (exit, output) = await BeginAsync();

        Assert.Equal(6, exit);
        Assert.Contains($"releases/{Base}/dist is a symbolic link", output);
        Assert.Equal("1", SshServers.Run("stat", "-c", "%h", Path.Combine(outside, "a.txt")).Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task Plain_lists_start_the_release_with_the_unchanged_files_copied_not_linked()
    {
        List("dirs", "dist", "dist/new");
        List("link", "dist/a.txt");
        List("exec");

        var (exit, output) = await BeginAsync();

        Assert.True(exit == 0, output);
        var partial = Path.Combine(_root, "releases", ".partial-" + Name);
        Assert.True(Directory.Exists(Path.Combine(partial, "dist", "new")));
        // A copy of its own: a write in the new release can never reach the base release through a shared inode.
        Assert.Equal("1", SshServers.Run("stat", "-c", "%h", Path.Combine(partial, "dist", "a.txt")).Trim());
    }
}
