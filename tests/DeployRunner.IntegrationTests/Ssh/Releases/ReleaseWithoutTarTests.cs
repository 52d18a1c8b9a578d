using DeployRunner.Handlers;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// A server without <c>tar</c>: the upload falls back to SFTP there. The test servers all have
/// tar, so one login user sees a server without it: its login shell (sshd runs every exec through
/// it) sets a PATH holding every program of /usr/bin except tar. The machine's own tar is not
/// touched, and SFTP (internal-sftp) does not go through the shell.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseWithoutTarTests(SshServers servers) : IDisposable
{
    private const string NoTarUser = "deployrelnotar";
    private const string Sha1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Sha2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly Lazy<bool> NoTarUserMade = new(MakeNoTarUser);

    private readonly ReleaseFleet _fleet = new(servers, "notar-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SshHarness _harness = new(servers);

    private string NoTarRoot => $"/home/{NoTarUser}/{_fleet.DeployPath}";

    public void Dispose()
    {
        Directory.Delete(_fleet.Workspace, recursive: true);
        foreach (var root in new[] { _fleet.Root(0), NoTarRoot })
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task On_a_server_without_tar_a_first_release_arrives_complete_over_SFTP_while_a_server_with_tar_gets_the_tar_stream()
    {
        _ = NoTarUserMade.Value;
        _fleet.WriteFile("index.html", "v1");
        _fleet.WriteFile("bin/start", "#!/bin/sh\necho start\n", executable: true);
        _fleet.WriteFile("assets/css/site.css", "body{}");
        _fleet.WriteFile("assets/img/a b.txt", "space in the name");
        // Server 0 as a user with tar, server 1 as the user without it.
        var inputs = _fleet.Inputs("command -v tar > tar-seen || echo none > tar-seen", 0)
            .With("hosts", $"{_fleet.Login(0)}\n{NoTarUser}@{servers.Host(1)}");

        var first = await _harness.RunAsync(inputs, WebhookEvents.Deployment(id: 401, sha: Sha1));

        Assert.True(first.Result.Outcome == HandlerOutcome.Succeeded, first.Log);
        var name1 = $"401-{Sha1[..7]}";
        var withoutTar = first.Target(_fleet.Display(1)).Reason;
        Assert.Contains("sent 4 files", withoutTar);
        Assert.Contains("over SFTP: no tar on the server", withoutTar);
        Assert.DoesNotContain("tar stream", withoutTar);
        Assert.Contains($"{_fleet.Display(1)}: sent 4 files (0.0 MB, over SFTP: no tar on the server), copied 0 unchanged on the server", first.Log);
        Assert.Contains("one tar stream", first.Target(_fleet.Display(0)).Reason);

        foreach (var root in new[] { NoTarRoot, _fleet.Root(0) })
        {
            var release = Path.Combine(root, "releases", name1);
            Assert.Equal($"releases/{name1}", new FileInfo(Path.Combine(root, "current")).LinkTarget);
            Assert.Equal(
                ["assets/css/site.css", "assets/img/a b.txt", "bin/start", "index.html", "tar-seen"],
                Directory.GetFiles(release, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(release, f)).Order(StringComparer.Ordinal));
            Assert.Equal("v1", File.ReadAllText(Path.Combine(release, "index.html")));
            Assert.Equal("body{}", File.ReadAllText(Path.Combine(release, "assets/css/site.css")));
            Assert.Equal("space in the name", File.ReadAllText(Path.Combine(release, "assets/img/a b.txt")));
            Assert.Equal("#!/bin/sh\necho start\n", File.ReadAllText(Path.Combine(release, "bin/start")));
            Assert.True((File.GetUnixFileMode(Path.Combine(release, "bin/start")) & UnixFileMode.UserExecute) != 0, $"the exec bit survives the upload to {root}");
            Assert.True((File.GetUnixFileMode(Path.Combine(release, "index.html")) & UnixFileMode.UserExecute) == 0, $"no exec bit where the workspace has none ({root})");
            Assert.Equal([name1], Directory.GetDirectories(Path.Combine(root, "releases")).Select(d => Path.GetFileName(d)!));
            Assert.Equal([$"{name1}.manifest", "releases.log"], Directory.GetFiles(Path.Combine(root, ".deploy-runner")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        }

        // The fixture really hides tar from that user's sessions (the script ran with the same PATH).
        Assert.Equal("none", File.ReadAllText(Path.Combine(NoTarRoot, "releases", name1, "tar-seen")).Trim());
        Assert.Equal("/usr/bin/tar", File.ReadAllText(Path.Combine(_fleet.Root(0), "releases", name1, "tar-seen")).Trim());

        // A second release with one file changed sends it over SFTP next to the copies: few files, so no "no tar" note there.
        _fleet.WriteFile("index.html", "v2");
        var second = await _harness.RunAsync(inputs, WebhookEvents.Deployment(id: 402, sha: Sha2));

        Assert.True(second.Result.Outcome == HandlerOutcome.Succeeded, second.Log);
        var name2 = $"402-{Sha2[..7]}";
        Assert.Equal($"releases/{name2}", new FileInfo(Path.Combine(NoTarRoot, "current")).LinkTarget);
        Assert.Contains("sent 1 file (0.0 MB, over SFTP), copied 3 unchanged on the server", second.Target(_fleet.Display(1)).Reason);
        Assert.Equal("v2", File.ReadAllText(Path.Combine(NoTarRoot, "releases", name2, "index.html")));
        // Copied, not linked: the new release shares no inode with the previous one, and keeps the exec bit.
        Assert.NotEqual(
            ReleaseFleet.Inode(Path.Combine(NoTarRoot, "releases", name1, "bin/start")),
            ReleaseFleet.Inode(Path.Combine(NoTarRoot, "releases", name2, "bin/start")));
        Assert.True((File.GetUnixFileMode(Path.Combine(NoTarRoot, "releases", name2, "bin/start")) & UnixFileMode.UserExecute) != 0);
    }

    /// <summary>
    /// The user without tar: its login shell is a wrapper that sets PATH to a folder of links to
    /// every program of /usr/bin but tar (remade on every test run), then runs bash.
    /// </summary>
    private static bool MakeNoTarUser()
    {
        var home = $"/home/{NoTarUser}";
        var tools = $"/usr/local/lib/deploy-runner-tests/{NoTarUser}";
        var bin = Path.Combine(tools, "bin");
        var shell = Path.Combine(tools, "shell");
        if (Directory.Exists(bin)) Directory.Delete(bin, recursive: true);
        Directory.CreateDirectory(bin);
        foreach (var program in Directory.GetFiles("/usr/bin"))
        {
            if (Path.GetFileName(program) is "tar") continue;
            File.CreateSymbolicLink(Path.Combine(bin, Path.GetFileName(program)), program);
        }

        File.WriteAllText(shell, $"#!/bin/bash\nexport PATH={bin}\nexec /bin/bash \"$@\"\n");
        File.SetUnixFileMode(shell, (UnixFileMode)0b111_101_101);
        if (!Directory.Exists(home))
            // '*' rather than useradd's locked '!': sshd without PAM refuses locked accounts even for keys.
            SshServers.Run("useradd", "--create-home", "--shell", shell, "--password", "*", NoTarUser);
        else
            SshServers.Run("usermod", "--shell", shell, NoTarUser);
        return true;
    }
}
