using System.Security.Cryptography;
using DeployRunner.Handlers;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// The copy of a release's unchanged files on a server whose file system clones (XFS with reflink
/// here; Btrfs and ZFS 2.2 behave alike): <c>cp --reflink=auto</c> makes each copy share the
/// previous release's data blocks instead of writing them again (docs/performance.md: the second
/// release's per-file cost on such servers), and a write in the new release still reaches no
/// earlier release. The servers' deploy paths are bind mounts of one XFS file system made in a
/// loop device (root, like the sshd fixture; tests/run.sh installs xfsprogs).
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseCopyOnWriteTests(SshServers servers) : IAsyncLifetime
{
    private const string Sha1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Sha2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly int[] Servers = [0, 1];

    private readonly ReleaseFleet _fleet = new(servers, "cow-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SshHarness _harness = new(servers);
    private readonly string _image = Directory.CreateTempSubdirectory("deploy-runner-xfs-").FullName;
    private readonly List<string> _mounts = [];

    public Task InitializeAsync()
    {
        if (!File.Exists("/usr/sbin/mkfs.xfs") && !File.Exists("/sbin/mkfs.xfs"))
            throw new InvalidOperationException("mkfs.xfs is missing: the copy-on-write release test makes an XFS file system with reflink; tests/run.sh installs xfsprogs (apt-get install xfsprogs).");
        var file = Path.Combine(_image, "xfs.img");
        SshServers.Run("truncate", "-s", "512M", file);
        SshServers.Run("mkfs.xfs", "-q", "-m", "reflink=1", file);
        var top = Path.Combine(_image, "mnt");
        Directory.CreateDirectory(top);
        Mount("-o", "loop", file, top);
        foreach (var i in Servers)
        {
            var own = Path.Combine(top, ReleaseFleet.Users[i]);
            Directory.CreateDirectory(own);
            Directory.CreateDirectory(_fleet.Root(i));
            SshServers.Run("chown", $"{ReleaseFleet.Users[i]}:", own, Path.GetDirectoryName(_fleet.Root(i))!, _fleet.Root(i));
            Mount("--bind", own, _fleet.Root(i));
        }

        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var mount in Enumerable.Reverse(_mounts)) SshServers.Run("umount", mount);
        foreach (var i in Servers)
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
        }

        Directory.Delete(_fleet.Workspace, recursive: true);
        Directory.Delete(_image, recursive: true);
        return Task.CompletedTask;
    }

    private void Mount(params string[] arguments)
    {
        try
        {
            SshServers.Run("mount", arguments);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"mounting the test's XFS file system failed (it needs root and a loop device): {e.Message}", e);
        }

        _mounts.Add(arguments[^1]);
    }

    private static string Name(long id, string sha) => $"{id}-{sha[..7]}";

    /// <summary>The file's data extents as filefrag lists them, each with its FIEMAP flags ("shared": its blocks belong to another file too).</summary>
    private static List<string> Extents(string path) =>
        SshServers.Run("filefrag", "-v", path).Split('\n')
            .Where(line => line.TrimStart().Length > 0 && char.IsAsciiDigit(line.TrimStart()[0]) && line.Contains(':', StringComparison.Ordinal))
            .ToList();

    private static bool Shared(string extent) => extent.Contains("shared", StringComparison.Ordinal);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact(Timeout = 180_000)]
    public async Task On_a_file_system_that_clones_unchanged_files_share_the_previous_releases_blocks_and_a_write_reaches_no_earlier_release()
    {
        var data = new byte[4 << 20];
        RandomNumberGenerator.Fill(data);
        Directory.CreateDirectory(Path.Combine(_fleet.Workspace, "assets"));
        File.WriteAllBytes(Path.Combine(_fleet.Workspace, "assets/data.bin"), data);
        File.WriteAllBytes(Path.Combine(_fleet.Workspace, "assets/kept.bin"), data[..(1 << 20)]);
        File.WriteAllBytes(Path.Combine(_fleet.Workspace, "assets/untouched.bin"), data[(1 << 20)..(3 << 20)]);
        _fleet.WriteFile(".env", "SECRET=old\n");
        _fleet.WriteFile("index.html", "v1");
        var first = await _harness.RunAsync(_fleet.Inputs(null, Servers), WebhookEvents.Deployment(id: 1201, sha: Sha1));
        Assert.True(first.Result.Outcome == HandlerOutcome.Succeeded, first.Log);

        // Phase one writes in place into files that were cloned: a truncating write, an append,
        // and a write into the middle of the big file (which unshares only the blocks it touches).
        _fleet.WriteFile("index.html", "v2");
        var script = string.Join('\n',
            "printf 'SECRET=new\\n' > .env",
            "printf 'appended' >> assets/data.bin",
            "printf 'MIDDLE' | dd of=assets/kept.bin bs=1 seek=4096 conv=notrunc status=none");
        var second = await _harness.RunAsync(_fleet.Inputs(script, Servers), WebhookEvents.Deployment(id: 1202, sha: Sha2));

        Assert.True(second.Result.Outcome == HandlerOutcome.Succeeded, second.Log);
        foreach (var i in Servers)
        {
            Assert.Contains("sent 1 file (0.0 MB, one tar stream), copied 4 unchanged on the server", second.Target(_fleet.Display(i)).Reason);
            var old = Path.Combine(_fleet.Root(i), "releases", Name(1201, Sha1));
            var now = Path.Combine(_fleet.Root(i), "releases", Name(1202, Sha2));
            // Clones: no block of the file nobody wrote was written again, nor the appended file's
            // first 4 MiB; each copy is its own inode all the same.
            var untouched = Extents(Path.Combine(now, "assets/untouched.bin"));
            Assert.True(untouched.Count > 0 && untouched.All(Shared), "assets/untouched.bin of the new release does not share the old release's blocks:\n" + string.Join('\n', untouched));
            Assert.Contains(Extents(Path.Combine(now, "assets/data.bin")), Shared);
            Assert.NotEqual(ReleaseFleet.Inode(Path.Combine(old, "assets/untouched.bin")), ReleaseFleet.Inode(Path.Combine(now, "assets/untouched.bin")));
            Assert.NotEqual(ReleaseFleet.Inode(Path.Combine(old, "assets/data.bin")), ReleaseFleet.Inode(Path.Combine(now, "assets/data.bin")));
            // The writes landed in the new release only.
            Assert.Equal("SECRET=new\n", File.ReadAllText(Path.Combine(now, ".env")));
            Assert.Equal("SECRET=old\n", File.ReadAllText(Path.Combine(old, ".env")));
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Hash(Path.Combine(old, "assets/data.bin")));
            Assert.Equal(data.Length + "appended".Length, new FileInfo(Path.Combine(now, "assets/data.bin")).Length);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data[..(1 << 20)])), Hash(Path.Combine(old, "assets/kept.bin")));
            Assert.Equal("MIDDLE", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(Path.Combine(now, "assets/kept.bin")), 4096, 6));
            Assert.Equal("v1", File.ReadAllText(Path.Combine(old, "index.html")));
        }
    }
}
