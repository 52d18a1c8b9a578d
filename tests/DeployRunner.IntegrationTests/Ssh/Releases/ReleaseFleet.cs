using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// Three of the test servers, each logged into as its own user, so that each has its own deploy
/// path (<c>~/apps/NAME</c>, relative to that user's home) and the servers share no folder.
/// The users are made once (useradd, as root, like the sshd fixture); every test gets a fresh app name.
/// </summary>
internal sealed class ReleaseFleet
{
    public static readonly string[] Users = ["deployrel1", "deployrel2", "deployrel3"];

    private static readonly Lazy<bool> UsersMade = new(MakeUsers);

    private readonly SshServers _servers;

    public ReleaseFleet(SshServers servers, string name)
    {
        _ = UsersMade.Value;
        _servers = servers;
        // sshd reads authorized_keys as the logging-in user: the fixture's private folder (0700)
        // must be passable and the file readable for these users (the private keys stay 0600).
        File.SetUnixFileMode(servers.Directory, File.GetUnixFileMode(servers.Directory) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var authorized = Path.Combine(servers.Directory, "authorized_keys");
        File.SetUnixFileMode(authorized, File.GetUnixFileMode(authorized) | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        DeployPath = $"apps/{name}";
        Workspace = Directory.CreateTempSubdirectory("deploy-runner-release-ws-").FullName;
    }

    public string DeployPath { get; }

    public string Workspace { get; }

    public string Address(int server) => SshServers.FleetAddresses[server];

    /// <summary>How <c>hosts</c> names the server: its own user at the fleet address.</summary>
    public string Login(int server) => $"{Users[server]}@{_servers.Host(server)}";

    /// <summary>How results name the server.</summary>
    public string Display(int server) => _servers.Host(server);

    /// <summary>The deploy path on server <paramref name="server"/>, as a path on this machine.</summary>
    public string Root(int server) => $"/home/{Users[server]}/{DeployPath}";

    public string Home(int server) => $"/home/{Users[server]}";

    public string? Current(int server)
    {
        var link = Path.Combine(Root(server), "current");
        return new FileInfo(link).LinkTarget;
    }

    public IReadOnlyList<string> Releases(int server) =>
        Directory.Exists(Path.Combine(Root(server), "releases"))
            ? Directory.GetDirectories(Path.Combine(Root(server), "releases")).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList()
            : [];

    public InputSet Inputs(string? script, params int[] servers) => InputSet.Of(
            ("handler", "ssh"),
            ("hosts", string.Join('\n', (servers.Length == 0 ? [0, 1, 2] : servers).Select(Login))),
            ("ssh-key", _servers.Ed25519.PrivateKey),
            ("ssh-known-hosts", _servers.KnownHosts()),
            ("connect-timeout", "10s"),
            ("deploy-path", DeployPath),
            ("upload", "."),
            ("working-directory", Workspace),
            ("script", script ?? ""));

    public void WriteFile(string relative, string content, bool executable = false)
    {
        var path = Path.Combine(Workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (executable) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public static long Inode(string path)
    {
        var output = SshServers.Run("stat", "-c", "%i", path);
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool MakeUsers()
    {
        foreach (var user in Users)
        {
            if (Directory.Exists($"/home/{user}")) continue;
            // '*' rather than useradd's locked '!': sshd without PAM refuses locked accounts even for keys.
            SshServers.Run("useradd", "--create-home", "--shell", "/bin/bash", "--password", "*", user);
        }

        return true;
    }
}
