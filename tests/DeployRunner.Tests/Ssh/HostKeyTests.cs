using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

public sealed class HostKeyTests
{
    // Made with ssh-keygen: one ed25519 host key, its fingerprint (ssh-keygen -l -E sha256), the
    // same known_hosts lines hashed by ssh-keygen -H, and another key.
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v";
    private const string Fingerprint = "SHA256:7mIYq5aRY4NSYqMIaidGx2ElIPfDJa2EYVzl+LLYXo8";
    private const string OtherKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJW+UoIkqqrTczXhtzyPdmaqAlDIU/+BfGpScUI9gkn";

    private const string Hashed = """
        |1|3RKATnHKKlmIfvVAiPOo9BDWZ20=|DGDOJ1Z0thbTW9EWVeSDWB1iTOg= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v
        |1|+ot7FmkDKQc2gCYlX0/YdM+j1og=|RkYc2EWjpnxXfYX3kmrh948ZUag= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v
        """;

    private static readonly SshHost Web1 = new("deploy", "web1.example.com", 2222);
    private static readonly SshHost Web2 = new("deploy", "web2.example.com", 22);
    private static readonly SshHost Web3 = new("deploy", "web3.example.com", 22);

    private static byte[] Blob(string key) => Convert.FromBase64String(key.Split(' ')[1]);

    private static HostKeyPolicy Policy(string knownHosts, string fingerprints = "", bool strict = true) =>
        new(KnownHosts.Parse("ssh-known-hosts", knownHosts), HostKeyFingerprint.ParseList("ssh-fingerprints", fingerprints), strict);

    [Fact]
    public void The_fingerprint_is_what_ssh_keygen_prints() =>
        Assert.Equal(Fingerprint, HostKeyFingerprint.Sha256(Blob(Key)));

    [Fact]
    public void A_plain_line_matches_its_host_and_the_bracketed_form_carries_the_port()
    {
        var policy = Policy($"[web1.example.com]:2222 {Key}\nweb2.example.com,10.0.0.2 {Key}\n");

        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web1, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web2, Blob(Key)).Verdict);
        // The same name on another port is another entry.
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web1 with { Port = 22 }, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web3, Blob(Key)).Verdict);
    }

    [Fact]
    public void Hashed_lines_from_ssh_keygen_H_match_the_hosts_they_hash_and_no_others()
    {
        var policy = Policy(Hashed);

        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web1, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web2, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Mismatch, policy.Decide(Web2, Blob(OtherKey)).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web3, Blob(Key)).Verdict);
    }

    [Fact]
    public void Wildcards_and_negations_match_as_in_OpenSSH()
    {
        var policy = Policy($"*.example.com,!web3.example.com {Key}\n");

        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web2, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web3, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web1, Blob(Key)).Verdict);
    }

    [Fact]
    public void A_different_key_is_a_mismatch_that_names_the_host_and_the_offered_fingerprint_even_when_not_strict()
    {
        var policy = Policy($"web2.example.com {OtherKey}\n", strict: false);

        var decision = policy.Decide(Web2, Blob(Key));

        Assert.Equal(HostKeyVerdict.Mismatch, decision.Verdict);
        Assert.False(decision.Accept);
        Assert.Contains("web2.example.com", decision.Message);
        Assert.Contains(Fingerprint, decision.Message);
        Assert.Contains("(line 1)", decision.Message);
    }

    [Fact]
    public void An_unknown_key_is_refused_when_strict_and_accepted_with_a_warning_when_not()
    {
        var strict = Policy($"web2.example.com {Key}\n").Decide(Web3, Blob(Key));
        var lax = Policy($"web2.example.com {Key}\n", strict: false).Decide(Web3, Blob(Key));

        Assert.False(strict.Accept);
        Assert.Contains("ssh-keyscan -p 22 web3.example.com", strict.Message);
        Assert.Contains(Fingerprint, strict.Message);
        Assert.True(lax.Accept);
        Assert.Contains("UNVERIFIED", lax.Message);
    }

    [Fact]
    public void A_revoked_key_is_refused()
    {
        var decision = Policy($"@revoked * {Key}\nweb2.example.com {Key}\n").Decide(Web2, Blob(Key));

        Assert.Equal(HostKeyVerdict.Revoked, decision.Verdict);
        Assert.False(decision.Accept);
    }

    [Fact]
    public void A_pinned_fingerprint_trusts_any_host_offering_that_key()
    {
        var policy = Policy("", $"# fleet\n256 {Fingerprint} root@vm (ED25519)\n");

        Assert.Equal(HostKeyVerdict.Trusted, policy.Decide(Web3, Blob(Key)).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, policy.Decide(Web3, Blob(OtherKey)).Verdict);
    }

    [Fact]
    public void Fingerprints_compare_exactly_and_accept_base64_padding()
    {
        var padded = HostKeyFingerprint.ParseList("ssh-fingerprints", Fingerprint + "=");

        Assert.Equal([Fingerprint], padded);
        Assert.False(HostKeyFingerprint.Matches(Fingerprint.ToLowerInvariant(), Fingerprint));
    }

    [Theory]
    [InlineData("MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48", "MD5")]
    [InlineData("SHA256:tooshort", "43 base64")]
    [InlineData("just words", "SHA256 fingerprint")]
    public void A_bad_fingerprint_is_a_configuration_error(string line, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => HostKeyFingerprint.ParseList("ssh-fingerprints", line));

        Assert.Contains(expected, error.Message);
        Assert.Contains("line 1", error.Message);
    }

    [Theory]
    [InlineData("web1 ssh-ed25519", "found 2 field")]
    [InlineData("web1 ssh-ed25519 not*base64", "not base64")]
    [InlineData("web1 ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v", "not a ssh-rsa key")]
    [InlineData("@trusted web1 ssh-ed25519 AAAA", "unknown marker")]
    public void A_bad_known_hosts_line_is_a_configuration_error_with_its_line_number(string line, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => KnownHosts.Parse("ssh-known-hosts", "# comment\n" + line));

        Assert.Contains("line 2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void When_known_hosts_pins_an_RSA_key_the_host_is_asked_for_RSA_signatures_only()
    {
        // A blob whose type field reads ssh-rsa is enough for the parser.
        var rsaBlob = Convert.ToBase64String([0, 0, 0, 7, .. "ssh-rsa"u8.ToArray(), 0, 0, 0, 1, 1]);
        var policy = Policy($"web2.example.com {Key}\n");
        var rsaPolicy = Policy($"web2.example.com ssh-rsa {rsaBlob}\n");

        Assert.Equal(["ssh-ed25519"], policy.PreferredAlgorithms(Web2)!.Order());
        Assert.Null(policy.PreferredAlgorithms(Web3));
        Assert.Equal(["rsa-sha2-256", "rsa-sha2-512", "ssh-rsa"], rsaPolicy.PreferredAlgorithms(Web2)!.Order());
        Assert.Null(Policy($"web2.example.com {Key}\n", Fingerprint).PreferredAlgorithms(Web2));
    }
}
