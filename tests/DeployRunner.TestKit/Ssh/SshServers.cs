using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DeployRunner.TestKit;

/// <summary>A client key made by ssh-keygen: the private key file's text as pasted into a secret.</summary>
public sealed record ClientKey(string Name, string PrivateKey, string? Passphrase);

/// <summary>
/// Real OpenSSH servers on loopback, started once for all ssh tests (as root, like CI):
/// a "fleet" sshd listening on 127.0.0.2 to 127.0.0.5 (four distinct hosts, one ed25519 host key),
/// and a bastion sshd on 127.0.0.9 with an RSA host key that logs the tunnels it opens.
/// </summary>
public sealed class SshServers : IAsyncLifetime
{
    public static readonly string[] FleetAddresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    public const string BastionAddress = "127.0.0.9";
    public const string User = "root";

    private readonly List<Process> _servers = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("deploy-runner-sshd-").FullName;

    public int FleetPort { get; private set; }

    public int BastionPort { get; private set; }

    public string FleetHostKey { get; private set; } = "";

    public string BastionHostKey { get; private set; } = "";

    /// <summary>A host key that no server uses: for the mismatch tests.</summary>
    public string StrangerHostKey { get; private set; } = "";

    public string FleetFingerprint { get; private set; } = "";

    public string BastionFingerprint { get; private set; } = "";

    public ClientKey Ed25519 { get; private set; } = null!;

    public ClientKey EncryptedEd25519 { get; private set; } = null!;

    public ClientKey RsaPem { get; private set; } = null!;

    public ClientKey EncryptedRsaPem { get; private set; } = null!;

    public ClientKey Ecdsa { get; private set; } = null!;

    /// <summary>A key whose public half no server accepts.</summary>
    public ClientKey Unauthorized { get; private set; } = null!;

    public string BastionLog => Path.Combine(Directory, "bastion.log");

    public string Host(int index) => $"{FleetAddresses[index]}:{FleetPort}";

    /// <summary>The fleet on the IPv6 loopback address, as `hosts` writes it.</summary>
    public string IPv6Host => $"[::1]:{FleetPort}";

    /// <summary>known_hosts lines for the fleet addresses, as <c>ssh-keyscan -p PORT HOST</c> prints them.</summary>
    public string KnownHosts(params string[] addresses) =>
        string.Join('\n', (addresses.Length == 0 ? FleetAddresses : addresses).Select(a => $"[{a}]:{FleetPort} {FleetHostKey}")) + "\n";

    public string BastionKnownHosts => $"[{BastionAddress}]:{BastionPort} {BastionHostKey}\n";

    /// <summary>The same lines hashed by <c>ssh-keygen -H</c> (|1|salt|hash).</summary>
    public string Hashed(string knownHosts)
    {
        var file = Path.Combine(Directory, $"known_hosts_{Guid.NewGuid():N}");
        File.WriteAllText(file, knownHosts);
        Run("ssh-keygen", "-q", "-H", "-f", file);
        var hashed = File.ReadAllText(file);
        Assert.DoesNotContain("127.0.0", hashed);
        return hashed;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/sbin/sshd") || !File.Exists("/usr/bin/ssh-keygen"))
            throw new InvalidOperationException("The ssh tests need OpenSSH's server and ssh-keygen: apt-get install openssh-server (tests/run.sh does).");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("The ssh tests start sshd and log in as root: run them as root (tests/run.sh in CI runs as root).");
        System.IO.Directory.CreateDirectory("/run/sshd");

        FleetHostKey = PublicKey(Keygen("fleet_host", "ed25519"));
        BastionHostKey = PublicKey(Keygen("bastion_host", "rsa", "-b", "2048"));
        StrangerHostKey = PublicKey(Keygen("stranger_host", "ed25519"));
        FleetFingerprint = Fingerprint("fleet_host");
        BastionFingerprint = Fingerprint("bastion_host");

        Ed25519 = ClientKeyOf("client_ed25519", null, "ed25519");
        EncryptedEd25519 = ClientKeyOf("client_ed25519_encrypted", "correct horse battery staple", "ed25519");
        RsaPem = ClientKeyOf("client_rsa_pem", null, "rsa", "-b", "2048", "-m", "PEM");
        EncryptedRsaPem = ClientKeyOf("client_rsa_pem_encrypted", "s3cret-pem-pass", "rsa", "-b", "2048", "-m", "PEM");
        Ecdsa = ClientKeyOf("client_ecdsa", null, "ecdsa", "-b", "256");
        Unauthorized = ClientKeyOf("client_unauthorized", null, "ed25519");
        var authorized = new[] { Ed25519, EncryptedEd25519, RsaPem, EncryptedRsaPem, Ecdsa }
            .Select(k => File.ReadAllText(Path.Combine(Directory, k.Name + ".pub")).Trim());
        File.WriteAllText(Path.Combine(Directory, "authorized_keys"), string.Join('\n', authorized) + "\n");

        FleetPort = SshdProcesses.FreePort();
        // The fleet also answers on the IPv6 loopback address, as [::1]:port.
        StartServer("fleet", "fleet_host", [.. FleetAddresses, "::1"], FleetPort, "");
        BastionPort = SshdProcesses.FreePort();
        StartServer("bastion", "bastion_host", [BastionAddress], BastionPort, "LogLevel DEBUG1\nAllowTcpForwarding yes\n");

        foreach (var address in FleetAddresses) await SshdProcesses.WaitForPortAsync(address, FleetPort, _servers, Directory);
        await SshdProcesses.WaitForPortAsync("::1", FleetPort, _servers, Directory);
        await SshdProcesses.WaitForPortAsync(BastionAddress, BastionPort, _servers, Directory);
    }

    public Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            try
            {
                if (!server.HasExited) server.Kill();
                server.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            server.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private void StartServer(string name, string hostKey, IEnumerable<string> addresses, int port, string extra)
    {
        var config = Path.Combine(Directory, name + ".sshd_config");
        File.WriteAllText(config, $"""
            Port {port}
            {string.Join('\n', addresses.Select(a => "ListenAddress " + a))}
            HostKey {Path.Combine(Directory, hostKey)}
            AuthorizedKeysFile {Path.Combine(Directory, "authorized_keys")}
            PidFile {Path.Combine(Directory, name + ".pid")}
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            MaxStartups 200
            MaxSessions 100
            Subsystem sftp internal-sftp
            {extra}
            """);
        // -D keeps sshd in the foreground, so this process is the one to stop afterwards.
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false };
        foreach (var argument in new[] { "-D", "-f", config, "-E", Path.Combine(Directory, name + ".log") }) info.ArgumentList.Add(argument);
        _servers.Add(Process.Start(info)!);
    }



    private string Keygen(string name, string type, params string[] extra) => SshdProcesses.Keygen(Directory, name, type, extra);

    private ClientKey ClientKeyOf(string name, string? passphrase, string type, params string[] extra)
    {
        var file = Path.Combine(Directory, name);
        Run("ssh-keygen", ["-q", "-t", type, .. extra, "-N", passphrase ?? "", "-C", name, "-f", file]);
        return new ClientKey(name, File.ReadAllText(file), passphrase);
    }

    private static string PublicKey(string privateKeyFile)
    {
        var fields = File.ReadAllText(privateKeyFile + ".pub").Split(' ');
        return fields[0] + " " + fields[1];
    }

    private string Fingerprint(string name) =>
        Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(Directory, name + ".pub")).Split(' ')[1];

    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000) || process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
        return output;
    }
}
