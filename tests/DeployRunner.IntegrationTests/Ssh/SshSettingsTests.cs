using DeployRunner.Handlers.Ssh;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>The ssh inputs' defaults and the one-line answers to bad values (real keys from ssh-keygen).</summary>
[Collection(SshServersCollection.Name)]
public sealed class SshSettingsTests(SshServers servers)
{
    private InputSet Inputs() => InputSet.Of(
        ("hosts", "web1 web2 ops@web3:2222"),
        ("ssh-user", "deploy"),
        ("ssh-key", servers.Ed25519.PrivateKey),
        ("ssh-known-hosts", servers.KnownHosts()));

    [Fact]
    public void The_defaults_are_all_hosts_at_once_fail_fast_a_30_second_connect_timeout_and_strict_checking()
    {
        var settings = SshSettings.From(Inputs());

        Assert.Equal(["deploy@web1:22", "deploy@web2:22", "ops@web3:2222"], settings.Hosts.Select(h => $"{h.User}@{h.Host}:{h.Port}"));
        Assert.Equal(3, settings.MaxParallel);
        Assert.True(settings.FailFast);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ConnectTimeout);
        Assert.True(settings.HostKeys.Strict);
        Assert.Empty(settings.JumpHosts);
    }

    [Fact]
    public void Inputs_override_the_defaults()
    {
        var settings = SshSettings.From(Inputs()
            .With("ssh-port", "2200").With("max-parallel", "1").With("fail-fast", "false")
            .With("connect-timeout", "1m30s").With("ssh-strict", "false").With("ssh-jump-host", "bastion.example.com"));

        Assert.Equal(2200, settings.Hosts[0].Port);
        Assert.Equal(2222, settings.Hosts[2].Port);
        Assert.Equal(1, settings.MaxParallel);
        Assert.False(settings.FailFast);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.ConnectTimeout);
        Assert.False(settings.HostKeys.Strict);
        Assert.Equal([new SshHost("deploy", "bastion.example.com", 22)], settings.JumpHosts);
    }

    [Theory]
    [InlineData("hosts", "", "Input `hosts` is required")]
    [InlineData("hosts", "web1:99999", "not a number from 1 to 65535")]
    [InlineData("ssh-key", "", "Input `ssh-key` is required")]
    [InlineData("ssh-port", "70000", "`ssh-port` must be a port")]
    [InlineData("max-parallel", "0", "`max-parallel` must be a positive whole number")]
    [InlineData("fail-fast", "maybe", "`fail-fast` must be `true` or `false`")]
    [InlineData("connect-timeout", "soon", "`connect-timeout` must be a duration")]
    [InlineData("ssh-strict", "sometimes", "`ssh-strict` must be `true` or `false`")]
    [InlineData("ssh-jump-host", "bastion:port", "Input `ssh-jump-host`")]
    [InlineData("ssh-jump-host", "bastion1\0,bastion2", "'bastion1?' is not a host name")]
    [InlineData("ssh-jump-host", "..", "'..' is not a host name")]
    [InlineData("ssh-jump-host", "-oProxyCommand", "'-oProxyCommand' is not a host name")]
    [InlineData("ssh-jump-host", ".bastion", "'.bastion' is not a host name")]
    [InlineData("hosts", "-oProxyCommand", "'-oProxyCommand' is not a host name")]
    [InlineData("hosts", "web1..example.com", "'web1..example.com' is not a host name")]
    [InlineData("ssh-fingerprints", "MD5:aa:bb", "SHA256 fingerprint")]
    public void A_bad_value_is_a_one_line_configuration_error_naming_the_input(string input, string value, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => SshSettings.From(Inputs().With(input, value)));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
