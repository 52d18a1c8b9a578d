using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DeployRunner.TestKit;

/// <summary>
/// Real sshd servers that trust and present OpenSSH certificates, made with the real
/// <c>ssh-keygen -s</c>, all on one port on separate loopback addresses:
/// <list type="bullet">
/// <item>every server trusts the user CA (<c>TrustedUserCAKeys</c>) for the principals in its
/// <c>AuthorizedPrincipalsFile</c> (<see cref="Principal"/>), and has no authorized_keys;</item>
/// <item><see cref="Good"/> present a host certificate the host CA signed for their addresses;
/// the others each present one that breaks one rule (another CA, a user certificate, another
/// name, expired, not yet valid), and <see cref="Plain"/> presents a plain key;</item>
/// <item>two bastions, <see cref="Hop1"/> (host certificate) and <see cref="Hop2"/> (plain key):
/// hop 1 may forward only to hop 2 and hop 2 only to the <see cref="Good"/> servers (<c>PermitOpen</c>).</item>
/// </list>
/// </summary>
public sealed class CertificateServers : IAsyncLifetime
{
    public static readonly string[] Good = ["127.0.4.1", "127.0.4.2"];
    public const string RogueCa = "127.0.4.10";
    public const string UserCertAsHost = "127.0.4.11";
    public const string OtherName = "127.0.4.12";
    public const string Expired = "127.0.4.13";
    public const string NotYetValid = "127.0.4.14";
    public const string Plain = "127.0.4.20";
    public const string Rsa256Only = "127.0.4.30";

    /// <summary>A good host certificate over an ed25519 key that starts with 0xFF and a byte of 0x80 or more (see <see cref="Ed25519KeyFiles"/>).</summary>
    public const string NegativeKey = "127.0.4.50";
    public const string Hop1 = "127.0.5.1";
    public const string Hop2 = "127.0.5.2";
    public const string User = "root";

    /// <summary>The principal the servers' AuthorizedPrincipalsFile lets log in as root.</summary>
    public const string Principal = "deployers";

    private readonly List<Process> _servers = [];
    private readonly Dictionary<string, Process> _byAddress = new(StringComparer.Ordinal);
    private int _signed;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("deploy-runner-sshd-certs-").FullName;

    public int Port { get; private set; }

    /// <summary>The host CA's public key line (<c>ssh-ed25519 AAAA...</c>), for <c>@cert-authority</c> lines.</summary>
    public string HostCa { get; private set; } = "";

    public string RogueHostCa { get; private set; } = "";

    /// <summary>The host key under the good host certificate, and the plain server's and hop 2's keys.</summary>
    public string GoodHostKey { get; private set; } = "";

    public string PlainHostKey { get; private set; } = "";

    public string Hop2HostKey { get; private set; } = "";

    public string StrangerHostKey { get; private set; } = "";

    public ClientKey Ed25519 { get; private set; } = null!;

    public ClientKey Rsa { get; private set; } = null!;

    public ClientKey Ecdsa { get; private set; } = null!;

    /// <summary>An ed25519 client key that starts with 0xFF and a byte of 0x80 or more (see <see cref="Ed25519KeyFiles"/>).</summary>
    public ClientKey Ed25519Negative { get; private set; } = null!;

    /// <summary>A key no certificate below is for.</summary>
    public ClientKey Other { get; private set; } = null!;

    public string Host(string address) => $"{address}:{Port}";

    public string KnownHostsName(string address) => $"[{address}]:{Port}";

    /// <summary>The SHA256 fingerprint of the host key a server at <paramref name="address"/> presents (under its certificate, if any).</summary>
    public string FingerprintOf(string address) => Fingerprint(address switch
    {
        Plain => "plain_host",
        NegativeKey => "negative_host",
        Hop2 => "hop2_host",
        RogueCa or UserCertAsHost or OtherName or Expired or NotYetValid => "odd_host",
        _ => "good_host",
    });

    /// <summary>
    /// A user certificate for <paramref name="key"/>, signed by the user CA with <c>ssh-keygen -s</c>:
    /// <paramref name="principals"/> as <c>-n</c>, <paramref name="validity"/> as <c>-V</c>.
    /// </summary>
    public string SignUser(ClientKey key, string principals = Principal, string validity = "-5m:+1h", string id = "ci-deploy", bool host = false)
    {
        var copy = Path.Combine(Directory, $"sign_{Interlocked.Increment(ref _signed)}");
        File.Copy(Path.Combine(Directory, key.Name + ".pub"), copy + ".pub");
        SshServers.Run("ssh-keygen", [.. SignArguments("user_ca", id, principals, validity, host), copy + ".pub"]);
        return File.ReadAllText(copy + "-cert.pub");
    }

    /// <summary>Kills the sessions a server's sshd forked (the listener stays): what a hop that drops every connection looks like.</summary>
    public void DropSessions(string address)
    {
        foreach (var child in Children(_byAddress[address].Id))
        {
            try
            {
                using var process = Process.GetProcessById(child);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/sbin/sshd") || !File.Exists("/usr/bin/ssh-keygen"))
            throw new InvalidOperationException("The ssh certificate tests need OpenSSH's server and ssh-keygen: apt-get install openssh-server (tests/run.sh does).");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("The ssh certificate tests start sshd and log in as root: run them as root.");
        System.IO.Directory.CreateDirectory("/run/sshd");

        Keygen("user_ca", "ed25519");
        HostCa = PublicKey(Keygen("host_ca", "ed25519"));
        RogueHostCa = PublicKey(Keygen("rogue_ca", "ed25519"));
        GoodHostKey = PublicKey(Keygen("good_host", "ed25519"));
        Keygen("odd_host", "ecdsa", "-b", "256");
        PlainHostKey = PublicKey(Keygen("plain_host", "ed25519"));
        Hop2HostKey = PublicKey(Keygen("hop2_host", "ed25519"));
        StrangerHostKey = PublicKey(Keygen("stranger_host", "ed25519"));
        Ed25519 = ClientKeyOf("client_ed25519", "ed25519");
        Rsa = ClientKeyOf("client_rsa", "rsa", "-b", "2048");
        Ecdsa = ClientKeyOf("client_ecdsa", "ecdsa", "-b", "256");
        Other = ClientKeyOf("client_other", "ed25519");
        Ed25519KeyFiles.Write(Directory, "negative_host", Ed25519KeyFiles.StartsWithNegativeByte);
        Ed25519Negative = new("client_negative", File.ReadAllText(Ed25519KeyFiles.Write(Directory, "client_negative", Ed25519KeyFiles.StartsWithNegativeByte)), null);
        File.WriteAllText(Path.Combine(Directory, "principals_root"), Principal + "\n");

        var goodNames = string.Join(',', [.. Good, Rsa256Only, Hop1]);
        var good = HostCertificate("good_host", "host_ca", goodNames, "-1h:+1h", host: true);
        var rogue = HostCertificate("odd_host", "rogue_ca", RogueCa, "-1h:+1h", host: true, suffix: "rogue");
        var userCert = HostCertificate("odd_host", "host_ca", UserCertAsHost, "-1h:+1h", host: false, suffix: "user");
        var otherName = HostCertificate("odd_host", "host_ca", "web.example.com", "-1h:+1h", host: true, suffix: "other");
        var expired = HostCertificate("odd_host", "host_ca", Expired, "-3h:-2h", host: true, suffix: "expired");
        var notYet = HostCertificate("odd_host", "host_ca", NotYetValid, "+2h:+3h", host: true, suffix: "notyet");
        var negative = HostCertificate("negative_host", "host_ca", NegativeKey, "-1h:+1h", host: true);

        Port = SshdProcesses.FreePort();
        StartServer("good", "good_host", good, Good, "");
        StartServer("rogue", "odd_host", rogue, [RogueCa], "");
        StartServer("usercert", "odd_host", userCert, [UserCertAsHost], "");
        StartServer("othername", "odd_host", otherName, [OtherName], "");
        StartServer("expired", "odd_host", expired, [Expired], "");
        StartServer("notyet", "odd_host", notYet, [NotYetValid], "");
        StartServer("plain", "plain_host", null, [Plain], "");
        StartServer("negative", "negative_host", negative, [NegativeKey], "");
        StartServer("rsa256", "good_host", good, [Rsa256Only], "PubkeyAcceptedAlgorithms rsa-sha2-256-cert-v01@openssh.com\n");
        StartServer("hop1", "good_host", good, [Hop1], $"AllowTcpForwarding yes\nPermitOpen {Hop2}:{Port}\n");
        StartServer("hop2", "hop2_host", null, [Hop2], $"AllowTcpForwarding yes\nPermitOpen {string.Join(' ', Good.Select(a => $"{a}:{Port}"))}\n");

        foreach (var address in _byAddress.Keys) await SshdProcesses.WaitForPortAsync(address, Port, _servers, Directory);
    }

    public Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            try
            {
                if (!server.HasExited) server.Kill(entireProcessTree: true);
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

    private string[] SignArguments(string ca, string id, string principals, string validity, bool host) =>
        ["-q", "-s", Path.Combine(Directory, ca), "-I", id, .. host ? new[] { "-h" } : [], "-n", principals, "-V", validity];

    private string HostCertificate(string hostKey, string ca, string principals, string validity, bool host, string suffix = "")
    {
        var copy = Path.Combine(Directory, $"{hostKey}_{(suffix.Length == 0 ? "cert" : suffix)}");
        File.Copy(Path.Combine(Directory, hostKey + ".pub"), copy + ".pub");
        SshServers.Run("ssh-keygen", [.. SignArguments(ca, $"{hostKey}-{suffix}", principals, validity, host), copy + ".pub"]);
        return copy + "-cert.pub";
    }

    private Process StartServer(string name, string hostKey, string? certificate, IEnumerable<string> addresses, string extra)
    {
        var config = Path.Combine(Directory, name + ".sshd_config");
        var list = addresses.ToList();
        File.WriteAllText(config, $"""
            Port {Port}
            {string.Join('\n', list.Select(a => "ListenAddress " + a))}
            HostKey {Path.Combine(Directory, hostKey)}
            {(certificate is null ? "" : "HostCertificate " + certificate)}
            TrustedUserCAKeys {Path.Combine(Directory, "user_ca.pub")}
            AuthorizedPrincipalsFile {Path.Combine(Directory, "principals_%u")}
            AuthorizedKeysFile none
            PidFile {Path.Combine(Directory, name + ".pid")}
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            MaxStartups 200
            MaxSessions 100
            LogLevel DEBUG1
            Subsystem sftp internal-sftp
            {extra}
            """);
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false };
        foreach (var argument in new[] { "-D", "-f", config, "-E", Path.Combine(Directory, name + ".log") }) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        _servers.Add(process);
        foreach (var address in list) _byAddress[address] = process;
        return process;
    }

    /// <summary>A host key of a test's own in the fixture's directory (<c>ssh-keygen -t ed25519</c>); returns its name there.</summary>
    public string NewHostKey(string name)
    {
        Keygen(name, "ed25519");
        return name;
    }

    /// <summary>
    /// A host certificate over the host key <paramref name="hostKey"/>, valid from an hour ago for
    /// an hour, signed by <paramref name="ca"/> (<c>host_ca</c> or <c>rogue_ca</c>); returns its file.
    /// </summary>
    public string SignHost(string hostKey, string ca, string principals, string suffix) =>
        HostCertificate(hostKey, ca, principals, "-1h:+1h", host: true, suffix);

    /// <summary>
    /// An sshd of a test's own on the fixture's port, presenting <paramref name="certificate"/> over
    /// <paramref name="hostKey"/>; the fixture stops it with the others. Returns it, so that a test
    /// can make it reread its keys (SIGHUP).
    /// </summary>
    public async Task<Process> StartServerAsync(string name, string hostKey, string certificate, IReadOnlyList<string> addresses)
    {
        var process = StartServer(name, hostKey, certificate, addresses, "");
        foreach (var address in addresses) await SshdProcesses.WaitForPortAsync(address, Port, _servers, Directory);
        return process;
    }

    public string Log(string name) => File.Exists(Path.Combine(Directory, name + ".log")) ? File.ReadAllText(Path.Combine(Directory, name + ".log")) : "";


    private static IEnumerable<int> Children(int pid)
    {
        var file = $"/proc/{pid}/task/{pid}/children";
        if (!File.Exists(file)) return [];
        return File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
    }


    private string Keygen(string name, string type, params string[] extra) => SshdProcesses.Keygen(Directory, name, type, extra);

    private ClientKey ClientKeyOf(string name, string type, params string[] extra) =>
        new(name, File.ReadAllText(Keygen(name, type, extra)), null);

    private static string PublicKey(string privateKeyFile)
    {
        var fields = File.ReadAllText(privateKeyFile + ".pub").Split(' ');
        return fields[0] + " " + fields[1];
    }

    private string Fingerprint(string name) =>
        SshServers.Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(Directory, name + ".pub")).Split(' ')[1];
}
