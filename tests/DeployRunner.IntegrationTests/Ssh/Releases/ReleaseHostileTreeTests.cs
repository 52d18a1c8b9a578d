using System.Diagnostics;
using System.Security.Cryptography;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// A workspace someone else checked out, and servers someone may have changed, through the built
/// runner against the real sshd: file names that would leave the release (a committed
/// <c>x\..\..\..\current\f1.txt</c>), names with control bytes and bytes that are not UTF-8,
/// folder links that loop, an oversized release log, and a base release whose files were
/// replaced by symbolic links. Each time nothing is written outside the release, <c>current</c>
/// and its files are untouched, and the statuses say what the case calls for.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseHostileTreeTests(SshServers servers) : IAsyncLifetime
{
    private const string LiveRelease = "1-aaaaaaa";

    private readonly ReleaseFleet _fleet = new(servers, "hostile-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        foreach (var i in new[] { 0, 1 })
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
            var outside = Path.Combine(_fleet.Home(i), "outside-" + Path.GetFileName(_fleet.DeployPath));
            if (Directory.Exists(outside)) Directory.Delete(outside, recursive: true);
        }

        Directory.Delete(_fleet.Workspace, recursive: true);
    }

    private RunnerSandbox Sandbox(long id, string upload = "dist")
    {
        var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: id, sha: "bbbbbbb222222222222222222222222222222222"), _api);
        Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "dist"));
        File.WriteAllText(Path.Combine(sandbox.Workspace, "dist", "index.html"), "v2");
        return sandbox
            .Input("handler", "ssh")
            .Input("hosts", string.Join('\n', new[] { 0, 1 }.Select(_fleet.Login)))
            .Input("ssh-key", servers.Ed25519.PrivateKey)
            .Input("ssh-known-hosts", servers.KnownHosts())
            .Input("deploy-path", _fleet.DeployPath)
            .Input("upload", upload)
            .Input("script", "touch ran");
    }

    /// <summary>A live release on both servers as the runner leaves one: releases/1-aaaaaaa, current, the log, the manifest, owned by the login user.</summary>
    private void PlantLiveRelease()
    {
        foreach (var i in new[] { 0, 1 })
        {
            var release = Directory.CreateDirectory(Path.Combine(_fleet.Root(i), "releases", LiveRelease, "dist")).FullName;
            File.WriteAllText(Path.Combine(release, "f1.txt"), "live");
            File.WriteAllText(Path.Combine(release, "index.html"), "v1");
            var meta = Directory.CreateDirectory(Path.Combine(_fleet.Root(i), ".deploy-runner")).FullName;
            File.WriteAllText(Path.Combine(meta, "releases.log"), $"2026-01-01T00:00:00Z\tuploaded\t{LiveRelease}\n2026-01-01T00:00:01Z\tlive\t{LiveRelease}\n");
            File.CreateSymbolicLink(Path.Combine(_fleet.Root(i), "current"), $"releases/{LiveRelease}");
            SshServers.Run("chown", "-R", $"{ReleaseFleet.Users[i]}:{ReleaseFleet.Users[i]}", Path.Combine(_fleet.Home(i), "apps"));
        }
    }

    /// <summary>
    /// The entries of the login user's home a file could escape to (this test's deploy path, the
    /// dot files such as ~/.ssh; other tests' deploy paths left out, they may run meanwhile): path,
    /// kind, inode, links, link text, content hash.
    /// </summary>
    private List<string> Snapshot(int server)
    {
        var home = _fleet.Home(server);
        var lines = SshServers.Run("find", home, "-path", Path.Combine(home, "apps", "*"), "-not", "-path", _fleet.Root(server), "-not", "-path", _fleet.Root(server) + "/*", "-prune", "-o", "-printf", "%P\t%y\t%i\t%n\t%l\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Other tests' files in the home (hook marks) come and go meanwhile: the dot files (~/.ssh)
        // and this deploy path are what a name leaving the release could reach here.
        lines = lines.Where(l => l.StartsWith('.') || l.StartsWith(_fleet.DeployPath, StringComparison.Ordinal)).ToList();
        return lines.Select(line =>
        {
            var path = Path.Combine(home, line.Split('\t')[0]);
            return line + (line.Split('\t')[1] == "f" ? "\t" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "");
        }).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A file made by bash's printf, so that any byte can be in its name (what .NET cannot write: bytes that are not UTF-8).</summary>
    private static void Touch(string folder, string printfName)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true };
        foreach (var argument in new[] { "--noprofile", "--norc", "-c", "cd -- \"$1\" && name=$(printf \"$2\") && mkdir -p -- \"$(dirname -- \"$name\")\" && printf 'hostile' > \"$name\"", "bash", folder, printfName }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }

    private void AssertRefusedBeforeAnyStatus(RunnerResult result, List<string>[] before, string expected)
    {
        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.DoesNotContain(error, char.IsControl);
        Assert.DoesNotContain("   at ", result.Log);
        Assert.Equal(["error"], _api.States);
        Assert.StartsWith("Configuration error: ", _api.Statuses[0].Description);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(before[i], Snapshot(i));
            Assert.Equal($"releases/{LiveRelease}", _fleet.Current(i));
            Assert.Equal("live", File.ReadAllText(Path.Combine(_fleet.Root(i), "current", "dist", "f1.txt")));
        }
    }

    [Theory(Timeout = 90_000)]
    [InlineData(@"x\\..\\..\\..\\current\\dist\\f1.txt", @"""dist/x\\..\\..\\..\\current\\dist\\f1.txt""", "backslash")]
    [InlineData(@"..\\..\\.ssh\\authorized_keys", @"""dist/..\\..\\.ssh\\authorized_keys""", "backslash")]
    [InlineData(@"ctl\001.txt", @"""dist/ctl\u0001.txt""", "control character")]
    [InlineData(@"new\nline.txt", @"""dist/new\nline.txt""", "control character")]
    [InlineData(@"sub/esc\033]8;;x\007.txt", @"""dist/sub/esc\u001b]8;;x\u0007.txt""", "control character")]
    [InlineData(@"nel\302\205.txt", @"""dist/nel\u0085.txt""", "control character")]
    [InlineData(@"latin1-caf\351.txt", @"""dist/latin1-caf\ufffd.txt""", "not valid UTF-8")]
    [InlineData(@"sub/\377\376.txt", @"""dist/sub/\ufffd\ufffd.txt""", "not valid UTF-8")]
    public async Task A_file_name_that_could_leave_the_release_is_refused_by_name_before_any_status_and_nothing_is_written(string printfName, string shown, string reason)
    {
        PlantLiveRelease();
        var before = new[] { Snapshot(0), Snapshot(1) };
        using var sandbox = Sandbox(601);
        Touch(Path.Combine(sandbox.Workspace, "dist"), printfName);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        AssertRefusedBeforeAnyStatus(result, before, shown);
        Assert.Contains(reason, result.Lines.Single(l => l.StartsWith("::error", StringComparison.Ordinal)));
    }

    [Theory(Timeout = 90_000)]
    [InlineData("dist", "dist/sub/up", "..")]
    [InlineData("dist", "dist/self", ".")]
    [InlineData("dist/**/*.html", "dist/sub/up", "..")]
    [InlineData("dist", "dist/a/up", "TWO")]
    [InlineData("dist", "dist/c/back", "CYCLE")]
    [InlineData("dist", "dist/ping", "CHAIN")]
    public async Task A_folder_link_loop_in_the_upload_is_refused_by_name_in_seconds_before_any_status(string upload, string named, string target)
    {
        PlantLiveRelease();
        var before = new[] { Snapshot(0), Snapshot(1) };
        using var sandbox = Sandbox(602, upload);
        var dist = Path.Combine(sandbox.Workspace, "dist");
        switch (target)
        {
            case "TWO":
                Directory.CreateDirectory(Path.Combine(dist, "a"));
                Directory.CreateDirectory(Path.Combine(dist, "b"));
                File.CreateSymbolicLink(Path.Combine(dist, "a", "up"), "..");
                File.CreateSymbolicLink(Path.Combine(dist, "b", "back"), "../..");
                break;
            case "CYCLE":
                Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "other"));
                File.CreateSymbolicLink(Path.Combine(dist, "c"), "../other");
                File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "other", "back"), "../dist");
                break;
            case "CHAIN":
                File.CreateSymbolicLink(Path.Combine(dist, "ping"), "pong");
                File.CreateSymbolicLink(Path.Combine(dist, "pong"), "ping");
                break;
            default:
                Directory.CreateDirectory(Path.Combine(dist, "sub"));
                File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, named), target);
                break;
        }

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        AssertRefusedBeforeAnyStatus(result, before, $"'{named}'");
        Assert.Contains("loop", result.Lines.Single(l => l.StartsWith("::error", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 120_000)]
    public async Task An_oversized_release_log_on_a_server_is_an_error_naming_it_and_nothing_is_switched()
    {
        PlantLiveRelease();
        var log = Path.Combine(_fleet.Root(1), ".deploy-runner", "releases.log");
        var line = $"2026-01-01T00:00:01Z\tlive\t{LiveRelease}\n";
        File.WriteAllText(log, string.Concat(Enumerable.Repeat(line, (9 * 1024 * 1024 / line.Length) + 1)));
        using var sandbox = Sandbox(603);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(["in_progress", "error"], _api.States);
        Assert.Contains($"{_fleet.Root(1)}/.deploy-runner/releases.log is ", result.Log);
        Assert.Contains("over the runner's limit of 8388608 bytes", result.Log);
        for (var i = 0; i < 2; i++) Assert.Equal($"releases/{LiveRelease}", _fleet.Current(i));
        Assert.Equal([LiveRelease], _fleet.Releases(1));
    }

    [Fact(Timeout = 180_000)]
    public async Task Files_of_the_base_release_replaced_by_links_to_outside_are_sent_anew_never_copied_through_the_links()
    {
        // A first release through the runner, so that the second one links its unchanged files.
        using (var first = Sandbox(604))
        {
            first.Input("hosts", _fleet.Login(0));
            var dist = Path.Combine(first.Workspace, "dist");
            Directory.CreateDirectory(Path.Combine(dist, "app"));
            File.WriteAllText(Path.Combine(dist, "app", "a.txt"), "app file");
            File.WriteAllText(Path.Combine(dist, "cfg.txt"), "config");
            for (var n = 0; n < 6; n++) File.WriteAllText(Path.Combine(dist, $"same{n}.txt"), $"same {n}");
            (await first.RunAsync(TimeSpan.FromSeconds(60))).ShouldExitWith(0);
        }

        // On the server, the live release's app/ and cfg.txt become links to files outside the
        // deploy path with the same content (what a phase-one script linking to shared/ does, or
        // someone with the login): the manifest still lists them as the release's own files.
        var live = Path.Combine(_fleet.Root(0), "current", "dist");
        var outside = Directory.CreateDirectory(Path.Combine(_fleet.Home(0), "outside-" + Path.GetFileName(_fleet.DeployPath))).FullName;
        Directory.CreateDirectory(Path.Combine(outside, "app"));
        File.WriteAllText(Path.Combine(outside, "app", "a.txt"), "app file");
        File.WriteAllText(Path.Combine(outside, "cfg.txt"), "config");
        Directory.Delete(Path.Combine(live, "app"), recursive: true);
        File.Delete(Path.Combine(live, "cfg.txt"));
        File.CreateSymbolicLink(Path.Combine(live, "app"), Path.Combine(outside, "app"));
        File.CreateSymbolicLink(Path.Combine(live, "cfg.txt"), Path.Combine(outside, "cfg.txt"));
        SshServers.Run("chown", "-R", $"{ReleaseFleet.Users[0]}:{ReleaseFleet.Users[0]}", outside);

        using var second = Sandbox(605);
        second.Input("hosts", _fleet.Login(0)).Input("script", "printf changed > dist/app/a.txt; printf changed > dist/cfg.txt");
        var dist2 = Path.Combine(second.Workspace, "dist");
        Directory.CreateDirectory(Path.Combine(dist2, "app"));
        File.WriteAllText(Path.Combine(dist2, "app", "a.txt"), "app file");
        File.WriteAllText(Path.Combine(dist2, "cfg.txt"), "config");
        for (var n = 0; n < 6; n++) File.WriteAllText(Path.Combine(dist2, $"same{n}.txt"), $"same {n}");

        var result = await second.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(0);
        Assert.Equal("app file", File.ReadAllText(Path.Combine(outside, "app", "a.txt")));
        Assert.Equal("config", File.ReadAllText(Path.Combine(outside, "cfg.txt")));
        Assert.Equal("1", SshServers.Run("stat", "-c", "%h", Path.Combine(outside, "app", "a.txt")).Trim());
        Assert.Equal("1", SshServers.Run("stat", "-c", "%h", Path.Combine(outside, "cfg.txt")).Trim());
        var release = Path.Combine(_fleet.Root(0), "current", "dist");
        Assert.False(new FileInfo(Path.Combine(release, "app")).LinkTarget is not null, "the new release's app/ is a folder of its own");
        Assert.Equal("changed", File.ReadAllText(Path.Combine(release, "cfg.txt")));
        // The other files were still copied on the server, not sent: the saving stays; the two behind links were sent anew.
        Assert.Contains("sent 2 files", result.Log);
        Assert.Contains("one tar stream), copied 7 unchanged on the server", result.Log);
    }
}
