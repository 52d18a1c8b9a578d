using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// User certificates (input <c>ssh-certificate</c>) against real sshd with <c>TrustedUserCAKeys</c>
/// and an <c>AuthorizedPrincipalsFile</c>, every certificate signed by the real <c>ssh-keygen -s</c>.
/// </summary>
[Collection(CertificateServersCollection.Name)]
public sealed class SshCertificateTests(CertificateServers servers) : IDisposable
{
    private readonly SshHarness _ssh = new();

    private string Scratch => _ssh.Scratch;

    public void Dispose() => Directory.Delete(Scratch, recursive: true);

    /// <summary>The good servers, trusted through their host CA, logging in with <paramref name="key"/> and its certificate.</summary>
    private InputSet Inputs(ClientKey key, string certificate, string script, params string[] addresses) => InputSet.Of(
            ("handler", "ssh"),
            ("hosts", string.Join('\n', (addresses.Length == 0 ? CertificateServers.Good : addresses).Select(servers.Host))),
            ("ssh-user", CertificateServers.User),
            ("ssh-key", key.PrivateKey),
            ("ssh-certificate", certificate),
            ("ssh-known-hosts", $"@cert-authority * {servers.HostCa}\n"),
            ("script", script))
        .With("connect-timeout", "10s");

    private string Marker => Path.Combine(Scratch, "ran");

    private string TouchScript => $"touch '{Marker}'; echo ran-with-cert";

    [Theory(Timeout = 60_000)]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task A_valid_user_certificate_logs_in_where_no_authorized_keys_exist(string type)
    {
        var key = type switch { "ed25519" => servers.Ed25519, "ecdsa" => servers.Ecdsa, _ => servers.Rsa };

        var run = await _ssh.RunAsync(Inputs(key, servers.SignUser(key), TouchScript));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(CertificateServers.Good[1])} | ran-with-cert", run.Lines);
        var log = servers.Log("good");
        Assert.Contains("Accepted publickey for root", log);
        Assert.Contains("-CERT", log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_the_certificate_the_same_key_is_refused_at_the_check_and_nothing_runs()
    {
        var run = await _ssh.RunAsync(Inputs(servers.Ed25519, servers.SignUser(servers.Ed25519), TouchScript).With("ssh-certificate", ""));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.False(File.Exists(Marker));
        Assert.Contains("was refused (publickey)", run.Target(servers.Host(CertificateServers.Good[0])).Reason);
    }
}

/// <summary>User-certificate refusals: each before anything runs, each saying which.</summary>
[Collection(CertificateServersCollection.Name)]
public sealed class SshCertificateRefusalTests(CertificateServers servers) : IDisposable
{
    private readonly SshHarness _ssh = new();

    public void Dispose() => Directory.Delete(_ssh.Scratch, recursive: true);

    private string Marker => Path.Combine(_ssh.Scratch, "ran");

    private InputSet Inputs(string certificate, ClientKey? key = null, params string[] addresses) => InputSet.Of(
            ("handler", "ssh"),
            ("hosts", string.Join('\n', (addresses.Length == 0 ? CertificateServers.Good : addresses).Select(servers.Host))),
            ("ssh-user", CertificateServers.User),
            ("ssh-key", (key ?? servers.Ed25519).PrivateKey),
            ("ssh-certificate", certificate),
            ("ssh-known-hosts", $"@cert-authority * {servers.HostCa}\n{servers.KnownHostsName(CertificateServers.Plain)} {servers.PlainHostKey}\n"),
            ("script", $"touch '{Marker}'"))
        .With("connect-timeout", "10s");

    [Theory(Timeout = 60_000)]
    [InlineData("-3h:-2h", "expired 2 h ago")]
    [InlineData("+2h:+3h", "not valid yet")]
    public async Task A_certificate_outside_its_validity_window_is_a_configuration_error_naming_how_far_off(string validity, string expected)
    {
        var certificate = servers.SignUser(servers.Ed25519, validity: validity, id: "stale-cert");

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _ssh.RunAsync(Inputs(certificate)));

        Assert.Contains(expected, error.Message);
        Assert.Contains("'stale-cert'", error.Message);
        Assert.Contains("ssh-certificate", error.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_certificate_for_another_key_is_a_configuration_error_naming_both_keys()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _ssh.RunAsync(Inputs(servers.SignUser(servers.Other))));

        Assert.Contains("does not certify `ssh-key`", error.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_certificate_for_another_principal_is_refused_at_the_check_with_its_principals_and_nothing_runs_anywhere()
    {
        var run = await _ssh.RunAsync(Inputs(servers.SignUser(servers.Ed25519, principals: "auditors", id: "wrong-principal")));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.False(File.Exists(Marker), "nothing may run when a login is refused at the check");
        var reason = run.Target(servers.Host(CertificateServers.Good[0])).Reason!;
        Assert.Contains("refused with certificate 'wrong-principal'", reason);
        Assert.Contains("principals (auditors)", reason);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("not a certificate", "is not an OpenSSH certificate")]
    [InlineData("ssh-ed25519-cert-v01@openssh.com !!!notbase64", "not base64")]
    [InlineData("ssh-ed25519-cert-v01@openssh.com AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v", "damaged")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\n..", "holds a private key")]
    public async Task Hostile_certificate_text_is_a_configuration_error(string text, string expected)
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _ssh.RunAsync(Inputs(text)));

        Assert.Contains(expected, error.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_host_certificate_passed_as_the_user_certificate_is_refused()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _ssh.RunAsync(Inputs(servers.SignUser(servers.Ed25519, host: true))));

        Assert.Contains("holds a host certificate", error.Message);
    }
}
