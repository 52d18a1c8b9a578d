using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// The pin between the check phase and the run phase for a host that presents a host certificate,
/// against real sshd: the first host's script swaps the second host's certificate (and key) and
/// makes sshd reread them, so the run connection meets what the check never saw.
/// </summary>
[Collection(CertificateServersCollection.Name)]
public sealed class SshHostCertificatePinTests(CertificateServers servers) : IDisposable
{
    private readonly SshHarness _ssh = new();

    public void Dispose() => Directory.Delete(_ssh.Scratch, recursive: true);

    [Theory(Timeout = 60_000)]
    [InlineData("another key under a certificate of the same CA", "127.0.4.40", "HOST KEY CHANGED between the check and the run")]
    [InlineData("the same key re-signed by a CA not listed", "127.0.4.42", "host certificate refused: signed by CA")]
    public async Task A_host_certificate_that_changes_between_the_check_and_the_run_is_refused_and_nothing_runs_on_that_host(
        string change, string first, string reason)
    {
        var name = "pin" + first.Split('.')[^1];
        string[] addresses = [first, first[..^1] + (char)(first[^1] + 1)];
        var principals = string.Join(',', addresses);
        var checkedKey = servers.NewHostKey(name + "_a");
        var checkedCertificate = servers.SignHost(checkedKey, "host_ca", principals, "checked");
        var (newKey, newCa) = change.StartsWith("another key", StringComparison.Ordinal) ? (servers.NewHostKey(name + "_b"), "host_ca") : (checkedKey, "rogue_ca");
        var newCertificate = servers.SignHost(newKey, newCa, principals, "changed");
        // The server's files are copies, so that the swap leaves the fixture's originals alone.
        var keyFile = Path.Combine(servers.Directory, name + "_served");
        var certificateFile = keyFile + "-cert.pub";
        File.Copy(Path.Combine(servers.Directory, checkedKey), keyFile);
        File.Copy(checkedCertificate, certificateFile);
        var sshd = await servers.StartServerAsync(name, name + "_served", certificateFile, addresses);
        var marker = Path.Combine(_ssh.Scratch, "ran.");
        // The first host swaps the certificate, makes sshd reread it (SIGHUP) and waits until it is served.
        var script = $"""
            here=$(echo "$SSH_CONNECTION" | cut -d' ' -f3)
            touch '{marker}'"$here"
            if [ "$here" = {addresses[0]} ]; then
              cp '{Path.Combine(servers.Directory, newKey)}' '{keyFile}'
              cp '{newCertificate}' '{certificateFile}'
              kill -HUP {sshd.Id}
              for i in $(seq 100); do
                ssh-keyscan -c -p {servers.Port} {addresses[1]} 2>/dev/null | grep -qF "$(cut -d' ' -f2 '{newCertificate}')" && exit 0
                sleep 0.1
              done
              exit 7
            fi
            """;
        var inputs = InputSet.Of(
                ("handler", "ssh"),
                ("hosts", string.Join('\n', addresses.Select(servers.Host))),
                ("ssh-user", CertificateServers.User),
                ("ssh-key", servers.Ed25519.PrivateKey),
                ("ssh-certificate", servers.SignUser(servers.Ed25519)),
                ("ssh-known-hosts", $"@cert-authority * {servers.HostCa}\n"),
                ("max-parallel", "1"),
                ("script", script))
            .With("connect-timeout", "10s");

        var run = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.True(run.Target(servers.Host(addresses[0])).Result == "ok", run.Log);
        Assert.Equal("refused", run.Target(servers.Host(addresses[1])).Result);
        Assert.False(File.Exists(marker + addresses[1]), $"nothing may run on a host whose certificate changed after the check ({change})");
        var error = Assert.Single(run.Errors, e => e.Contains(servers.Host(addresses[1]), StringComparison.Ordinal));
        Assert.Contains(reason, error);
        Assert.Contains(Fingerprint(Path.Combine(servers.Directory, newKey + ".pub")), error);
    }

    private static string Fingerprint(string publicKeyFile) =>
        SshServers.Run("ssh-keygen", "-l", "-E", "sha256", "-f", publicKeyFile).Split(' ')[1];
}
