using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

public sealed class SshHostTests
{
    [Theory]
    [InlineData("web1", "deploy", "web1", 22, "web1")]
    [InlineData("ops@web1.example.com", "ops", "web1.example.com", 22, "web1.example.com")]
    [InlineData("web1:2222", "deploy", "web1", 2222, "web1:2222")]
    [InlineData("ops@10.0.0.7:2200", "ops", "10.0.0.7", 2200, "10.0.0.7:2200")]
    [InlineData("[::1]:2222", "deploy", "::1", 2222, "[::1]:2222")]
    [InlineData("ops@[2001:db8::5]", "ops", "2001:db8::5", 22, "[2001:db8::5]")]
    [InlineData("::1", "deploy", "::1", 22, "[::1]")]
    public void I_can_write_a_host_as_user_at_host_colon_port_and_IPv6_in_brackets(string entry, string user, string host, int port, string display)
    {
        var parsed = SshHost.Parse("hosts", entry, "deploy", 22);

        Assert.Equal(new SshHost(user, host, port), parsed);
        Assert.Equal(display, parsed.Display);
    }

    [Fact]
    public void Hosts_are_separated_by_newlines_commas_or_spaces_and_comment_lines_are_skipped()
    {
        var hosts = SshHost.ParseList("hosts", "# web tier\nweb1, web2 web3\r\n\n  db1:2200\n", "deploy", 2222);

        Assert.Equal(["web1:2222", "web2:2222", "web3:2222", "db1:2200"], hosts.Select(h => h.Display));
    }

    [Theory]
    [InlineData("web1:0", "port '0'")]
    [InlineData("web1:70000", "port '70000'")]
    [InlineData("web1:ssh", "port 'ssh'")]
    [InlineData("[::1", "closing ']'")]
    [InlineData("[::1]x", "only ':port'")]
    [InlineData("[zz::q]:22", "not an IPv6 address")]
    [InlineData("@web1", "user name")]
    [InlineData("web_1$", "not a host name")]
    [InlineData("ops@", "host name is empty")]
    public void An_unparsable_host_is_a_configuration_error_that_quotes_it_and_shows_the_format(string entry, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => SshHost.ParseList("hosts", entry, "deploy", 22));

        Assert.Contains($"'{entry}'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Contains("[user@]host[:port]", error.Message);
    }

    [Fact]
    public void A_host_without_a_user_needs_ssh_user()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshHost.ParseList("hosts", "web1", null, 22));

        Assert.Contains("ssh-user", error.Message);
    }

    [Fact]
    public void A_host_listed_twice_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshHost.ParseList("hosts", "web1 deploy@web1:22", "deploy", 22));

        Assert.Contains("twice", error.Message);
    }

    [Theory]
    [InlineData("Web1.Example.com", 22, "web1.example.com")]
    [InlineData("web1", 2222, "[web1]:2222")]
    [InlineData("::1", 2222, "[::1]:2222")]
    public void The_known_hosts_name_is_the_host_for_port_22_and_bracketed_with_the_port_otherwise(string host, int port, string expected) =>
        Assert.Equal(expected, new SshHost("u", host, port).KnownHostsName);
}
