using DeployRunner.Handlers.Ssh;

namespace DeployRunner.Tests.Ssh;

public sealed class SshPrivateKeyTests
{
    [Theory]
    [InlineData("-----BEGIN X-----\r\nAAA\r\n-----END X-----", "-----BEGIN X-----\nAAA\n-----END X-----\n")]
    [InlineData("\n  -----BEGIN X-----\nAAA\n-----END X-----\n\n", "-----BEGIN X-----\nAAA\n-----END X-----\n")]
    [InlineData("-----BEGIN X-----\rAAA\r-----END X-----\r", "-----BEGIN X-----\nAAA\n-----END X-----\n")]
    public void Pasted_keys_get_LF_line_ends_and_exactly_one_final_newline(string pasted, string expected) =>
        Assert.Equal(expected, SshPrivateKey.Normalize(pasted));

    [Fact]
    public void A_public_key_pasted_by_mistake_gets_a_clear_answer()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshPrivateKey.Load("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK8x user@host", null));

        Assert.Contains("public key", error.Message);
    }

    [Fact]
    public void Text_that_is_no_key_at_all_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshPrivateKey.Load("hunter2-not-a-key", null));

        Assert.Contains("BEGIN OPENSSH PRIVATE KEY", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void A_damaged_key_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshPrivateKey.Load("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END OPENSSH PRIVATE KEY-----", null));

        Assert.Contains("could not be read", error.Message);
        Assert.DoesNotContain("c2VjcmV0", error.Message);
    }

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", true)]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", true)]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", false)]
    public void PEM_keys_say_whether_they_are_encrypted(string key, bool encrypted) =>
        Assert.Equal(encrypted, SshPrivateKey.IsEncrypted(key));

    [Fact]
    public void An_OpenSSH_key_is_encrypted_when_its_cipher_is_not_none()
    {
        static string Key(string cipher)
        {
            byte[] body = [.. "openssh-key-v1\0"u8.ToArray(), 0, 0, 0, (byte)cipher.Length, .. System.Text.Encoding.ASCII.GetBytes(cipher), 0, 0, 0, 0];
            return $"-----BEGIN OPENSSH PRIVATE KEY-----\n{Convert.ToBase64String(body)}\n-----END OPENSSH PRIVATE KEY-----\n";
        }

        Assert.True(SshPrivateKey.IsEncrypted(Key("aes256-ctr")));
        Assert.False(SshPrivateKey.IsEncrypted(Key("none")));
    }

    [Fact]
    public void An_encrypted_key_without_a_passphrase_asks_for_ssh_passphrase()
    {
        var error = Assert.Throws<ConfigurationException>(() => SshPrivateKey.Load("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----", null));

        Assert.Contains("ssh-passphrase", error.Message);
    }
}
