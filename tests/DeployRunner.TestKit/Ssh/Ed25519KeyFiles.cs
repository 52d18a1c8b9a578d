using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DeployRunner.TestKit;

/// <summary>
/// Ed25519 key files in OpenSSH's own format (PROTOCOL.key, unencrypted), for a key whose public
/// half has a shape <c>ssh-keygen</c> produces only by chance: one in 512 public keys starts with
/// 0xFF and a byte of 0x80 or more, which a parser that reads the key as a signed number shortens.
/// Drawing keys until one has the shape takes milliseconds here, against seconds of
/// <c>ssh-keygen</c> runs. The files are real key files: sshd, ssh-keygen and SSH.NET read them.
/// </summary>
public static class Ed25519KeyFiles
{
    /// <summary>Whether a public key starts with 0xFF followed by a byte with its high bit set.</summary>
    public static bool StartsWithNegativeByte(byte[] publicKey) => publicKey[0] == 0xFF && publicKey[1] >= 0x80;

    /// <summary>
    /// Writes <paramref name="name"/> (private, mode 600) and <paramref name="name"/>.pub in
    /// <paramref name="directory"/> for the first random key whose public half passes
    /// <paramref name="wanted"/>; returns the private key file.
    /// </summary>
    public static string Write(string directory, string name, Func<byte[], bool> wanted)
    {
        var seed = new byte[32];
        var publicKey = new byte[32];
        for (var attempt = 0; ; attempt++)
        {
            if (attempt == 100_000) throw new InvalidOperationException("no Ed25519 key of the wanted shape in 100000 draws");
            RandomNumberGenerator.Fill(seed);
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(seed, 0, publicKey, 0);
            if (wanted(publicKey)) break;
        }

        var blob = Concat(SshString("ssh-ed25519"u8), SshString(publicKey));
        var check = new byte[4];
        RandomNumberGenerator.Fill(check);
        var privatePart = new List<byte>([.. check, .. check, .. SshString("ssh-ed25519"u8), .. SshString(publicKey), .. SshString([.. seed, .. publicKey]), .. SshString(Encoding.UTF8.GetBytes(name))]);
        for (byte pad = 1; privatePart.Count % 8 != 0; pad++) privatePart.Add(pad);
        var file = Concat("openssh-key-v1\0"u8.ToArray(), SshString("none"u8), SshString("none"u8), SshString([]), [0, 0, 0, 1], SshString(blob), SshString([.. privatePart]));

        var body = Convert.ToBase64String(file);
        var lines = Enumerable.Range(0, (body.Length + 69) / 70).Select(i => body.Substring(i * 70, Math.Min(70, body.Length - (i * 70))));
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $"-----BEGIN OPENSSH PRIVATE KEY-----\n{string.Join('\n', lines)}\n-----END OPENSSH PRIVATE KEY-----\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path + ".pub", $"ssh-ed25519 {Convert.ToBase64String(blob)} {name}\n");
        return path;
    }

    private static byte[] SshString(ReadOnlySpan<byte> bytes)
    {
        var result = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)bytes.Length);
        bytes.CopyTo(result.AsSpan(4));
        return result;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
