using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

/// <summary>
/// The pin between the check phase and the run phase when the host presents a certificate: the
/// same certificate passes, another certificate over the same key is judged again by the policy,
/// anything else is a changed host key.
/// </summary>
public sealed class PinnedHostCertificateTests
{
    // Made with ssh-keygen: the CA's key and its fingerprint, and two host keys.
    private const string CaKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK8xuMI7jrB8sLaAvijReuLNVdWJd0K5f5KK0M2h1C0v";
    private const string CaFingerprint = "SHA256:7mIYq5aRY4NSYqMIaidGx2ElIPfDJa2EYVzl+LLYXo8";
    private static readonly byte[] HostKey = Blob("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJW+UoIkqqrTczXhtzyPdmaqAlDIU/+BfGpScUI9gkn");
    private static readonly byte[] OtherHostKey = Blob(CaKey);

    private static readonly SshHost Web1 = new("deploy", "web1.example.com", 22);

    private static byte[] Blob(string key) => Convert.FromBase64String(key.Split(' ')[1]);

    private static HostKeyPolicy Policy() =>
        new(KnownHosts.Parse("ssh-known-hosts", $"@cert-authority *.example.com {CaKey}\n"), HostKeyFingerprint.ParseList("ssh-fingerprints", ""), true);

    private static OfferedHostKey Certificate(byte[] key, byte signature, DateTimeOffset? validBefore = null) =>
        new(key, new OpenSshCertificate("ssh-ed25519-cert-v01@openssh.com", key, IsHost: true, "web1", ["web1.example.com"],
            DateTimeOffset.UnixEpoch, validBefore, CaFingerprint, [signature, 1, 2, 3]));

    [Fact]
    public void The_same_certificate_passes()
    {
        var pinned = Certificate(HostKey, signature: 7);

        var decision = SshConnection.DecidePinned(Web1, Policy(), pinned, Certificate(HostKey, signature: 7));

        Assert.True(decision.Accept);
        Assert.Equal(HostKeyVerdict.Trusted, decision.Verdict);
    }

    [Fact]
    public void Another_certificate_over_the_same_key_is_judged_again_by_the_policy()
    {
        var pinned = Certificate(HostKey, signature: 7);

        var resigned = SshConnection.DecidePinned(Web1, Policy(), pinned, Certificate(HostKey, signature: 8));
        var expired = SshConnection.DecidePinned(Web1, Policy(), pinned, Certificate(HostKey, signature: 9, validBefore: DateTimeOffset.UtcNow.AddHours(-2)));

        Assert.True(resigned.Accept);
        Assert.False(expired.Accept);
        Assert.Contains("expired 2 h ago", expired.Message);
        Assert.DoesNotContain("HOST KEY CHANGED", expired.Message);
    }

    [Fact]
    public void A_certificate_replaced_by_its_plain_key_or_by_another_key_is_a_changed_host_key()
    {
        var pinned = Certificate(HostKey, signature: 7);

        foreach (var offered in new[] { OfferedHostKey.Plain(HostKey), OfferedHostKey.Plain(OtherHostKey), Certificate(OtherHostKey, signature: 7) })
        {
            var decision = SshConnection.DecidePinned(Web1, Policy(), pinned, offered);

            Assert.False(decision.Accept);
            Assert.Equal(HostKeyVerdict.Mismatch, decision.Verdict);
            Assert.Contains("HOST KEY CHANGED between the check and the run", decision.Message);
            Assert.Contains(HostKeyFingerprint.Sha256(offered.Key), decision.Message);
        }
    }
}
