using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// Host certificates against real sshd with <c>HostCertificate</c>: a server passes only through an
/// <c>@cert-authority</c> line for it, and each way a certificate can fail is refused on its own,
/// naming the reason and the fingerprint offered, with nothing run anywhere.
/// </summary>
[Collection(CertificateServersCollection.Name)]
public sealed class SshHostCertificateTests(CertificateServers servers) : IDisposable
{
    private readonly SshHarness _ssh = new();

    public void Dispose() => Directory.Delete(_ssh.Scratch, recursive: true);

    private string Marker => Path.Combine(_ssh.Scratch, "ran");

    private InputSet Inputs(string knownHosts, params string[] addresses) => InputSet.Of(
            ("handler", "ssh"),
            ("hosts", string.Join('\n', addresses.Select(servers.Host))),
            ("ssh-user", CertificateServers.User),
            ("ssh-key", servers.Ed25519.PrivateKey),
            ("ssh-certificate", servers.SignUser(servers.Ed25519)),
            ("ssh-known-hosts", knownHosts),
            ("script", $"touch '{Marker}'; echo ran"))
        .With("connect-timeout", "10s");

    private string TrustAll => $"@cert-authority * {servers.HostCa}\n";

    [Theory(Timeout = 60_000)]
    [InlineData("*")]
    [InlineData("[127.0.4.?]:*")]
    [InlineData("[127.0.4.1]:{port},[127.0.4.2]:{port}")]
    [InlineData("*,!10.*")]
    [InlineData("hashed")]
    public async Task A_host_certificate_signed_by_a_ca_listed_for_the_hosts_pattern_passes(string pattern)
    {
        var line = pattern == "hashed"
            ? HashedCaLines()
            : $"@cert-authority {pattern.Replace("{port}", servers.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)} {servers.HostCa}\n";

        var run = await _ssh.RunAsync(Inputs(line, CertificateServers.Good));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(CertificateServers.Good[1])} | ran", run.Lines);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("rogue CA", CertificateServers.RogueCa, "signed by CA")]
    [InlineData("user certificate", CertificateServers.UserCertAsHost, "it is a user certificate, not a host certificate")]
    [InlineData("another name", CertificateServers.OtherName, "it is for web.example.com, not for '127.0.4.12'")]
    [InlineData("expired", CertificateServers.Expired, "it is expired 2 h ago (valid until ")]
    [InlineData("not yet valid", CertificateServers.NotYetValid, "it is not valid yet: valid from ")]
    public async Task Each_way_a_host_certificate_fails_is_refused_naming_it_and_the_fingerprint_and_nothing_runs_anywhere(string why, string address, string reason)
    {
        var run = await _ssh.RunAsync(Inputs(TrustAll, CertificateServers.Good[0], address, CertificateServers.Good[1]).With("max-parallel", "1"));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.False(File.Exists(Marker), $"nothing may run anywhere when a host certificate is refused ({why})");
        Assert.Equal(["skipped", "refused", "skipped"], run.Result.Targets.Select(t => t.Result));
        var error = Assert.Single(run.Errors, e => e.Contains(servers.Host(address), StringComparison.Ordinal));
        Assert.Contains("host certificate refused: " + reason, error);
        Assert.Contains(servers.FingerprintOf(address), error);
    }

    /// <summary>
    /// One ed25519 key in 512 starts with 0xFF and a byte of 0x80 or more. SSH.NET reads the key
    /// inside a certificate as a signed number, which drops that 0xFF: the key exchange's signature
    /// then fails against the wrong key, and the certificate SSH.NET loads with a private key
    /// "does not certify" it. Such keys, on either side, must work like any other.
    /// </summary>
    /// <remarks>The host side below; the user side in the next test.</remarks>
    [Fact(Timeout = 60_000)]
    public async Task A_host_certificate_over_an_ed25519_key_that_starts_with_0xFF_passes()
    {
        var hostPublic = File.ReadAllText(Path.Combine(servers.Directory, "negative_host.pub")).Split(' ')[1];
        var derived = SshServers.Run("ssh-keygen", "-y", "-f", Path.Combine(servers.Directory, "negative_host"));
        Assert.Equal(hostPublic, derived.Split(' ')[1]);
        Assert.True(Ed25519KeyFiles.StartsWithNegativeByte(Convert.FromBase64String(hostPublic)[19..]), "the fixture's host key has the shape under test");

        var run = await _ssh.RunAsync(Inputs(TrustAll, CertificateServers.NegativeKey));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(CertificateServers.NegativeKey)} | ran", run.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_user_certificate_over_an_ed25519_key_that_starts_with_0xFF_logs_in()
    {
        var run = await _ssh.RunAsync(Inputs(TrustAll, CertificateServers.Good[0])
            .With("ssh-key", servers.Ed25519Negative.PrivateKey)
            .With("ssh-certificate", servers.SignUser(servers.Ed25519Negative)));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        var clientFingerprint = SshServers.Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(servers.Directory, "client_negative.pub")).Split(' ')[1];
        Assert.Contains($"ED25519-CERT {clientFingerprint}", servers.Log("good"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_revoked_ca_and_a_revoked_host_key_are_refused()
    {
        var revokedCa = await _ssh.RunAsync(Inputs(TrustAll + $"@revoked * {servers.HostCa}\n", CertificateServers.Good[0]));
        var revokedKey = await _ssh.RunAsync(Inputs(TrustAll + $"@revoked * {servers.GoodHostKey}\n", CertificateServers.Good[0]));

        Assert.Equal(HandlerOutcome.Errored, revokedCa.Result.Outcome);
        Assert.Contains(revokedCa.Errors, e => e.Contains("the CA", StringComparison.Ordinal) && e.Contains("is marked @revoked", StringComparison.Ordinal));
        Assert.Equal(HandlerOutcome.Errored, revokedKey.Result.Outcome);
        Assert.Contains(revokedKey.Errors, e => e.Contains("is marked @revoked", StringComparison.Ordinal) && e.Contains(servers.FingerprintOf(CertificateServers.Good[0]), StringComparison.Ordinal));
        Assert.False(File.Exists(Marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_ca_listed_for_other_hosts_only_does_not_vouch_for_this_one()
    {
        var run = await _ssh.RunAsync(Inputs($"@cert-authority *,![127.0.4.1]:* {servers.HostCa}\n", CertificateServers.Good[0]));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.Contains(run.Errors, e => e.Contains("unknown host key", StringComparison.Ordinal) && e.Contains(servers.FingerprintOf(CertificateServers.Good[0]), StringComparison.Ordinal));
        Assert.False(File.Exists(Marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_server_with_a_plain_key_still_needs_a_plain_line_or_fingerprint()
    {
        var refused = await _ssh.RunAsync(Inputs(TrustAll, CertificateServers.Good[0], CertificateServers.Plain));
        var pinned = await _ssh.RunAsync(Inputs(TrustAll + $"{servers.KnownHostsName(CertificateServers.Plain)} {servers.PlainHostKey}\n", CertificateServers.Good[0], CertificateServers.Plain));

        Assert.Equal(HandlerOutcome.Errored, refused.Result.Outcome);
        Assert.Contains(refused.Errors, e => e.Contains("trusts only host certificates", StringComparison.Ordinal) && e.Contains(servers.FingerprintOf(CertificateServers.Plain), StringComparison.Ordinal));
        Assert.Equal(["skipped", "refused"], refused.Result.Targets.Select(t => t.Result));
        Assert.True(pinned.Result.Outcome == HandlerOutcome.Succeeded, pinned.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_certificate_logs_in_where_sshd_accepts_only_rsa_sha2_256_certificates()
    {
        var inputs = Inputs(TrustAll, CertificateServers.Rsa256Only)
            .With("ssh-key", servers.Rsa.PrivateKey)
            .With("ssh-certificate", servers.SignUser(servers.Rsa));

        var run = await _ssh.RunAsync(inputs);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains("rsa-sha2-256-cert-v01@openssh.com", servers.Log("rsa256"));
    }

    /// <summary>
    /// The pin between the check phase and the run phase for a host certificate: the first host's
    /// script swaps the second host's certificate (and key) and makes sshd reread them (SIGHUP),
    /// so the run connection meets what the check never saw.
    /// </summary>
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
        Assert.Contains(SshServers.Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(servers.Directory, newKey + ".pub")).Split(' ')[1], error);
    }

    /// <summary>The CA line for both good servers, its host names hashed by <c>ssh-keygen -H</c>.</summary>
    private string HashedCaLines()
    {
        var file = Path.Combine(_ssh.Scratch, "known_hosts");
        File.WriteAllText(file, string.Concat(CertificateServers.Good.Select(a => $"{servers.KnownHostsName(a)} {servers.HostCa}\n")));
        SshServers.Run("ssh-keygen", "-q", "-H", "-f", file);
        var hashed = File.ReadAllLines(file).Where(l => l.StartsWith("|1|", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, hashed.Count);
        return string.Concat(hashed.Select(l => "@cert-authority " + l + "\n"));
    }
}
