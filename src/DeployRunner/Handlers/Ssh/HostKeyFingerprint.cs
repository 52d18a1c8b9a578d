using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh;

/// <summary>SHA256 fingerprints as <c>ssh-keygen -l</c> prints them, and the key type inside a key blob.</summary>
internal static class HostKeyFingerprint
{
    /// <summary><c>SHA256:</c> and the unpadded base64 of the SHA-256 of the key blob.</summary>
    public static string Sha256(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type a key blob starts with (an SSH string), or null if it is not one.</summary>
    public static string? KeyTypeOf(byte[] keyBlob)
    {
        if (keyBlob.Length < 4) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(keyBlob);
        if (length == 0 || length > 64 || length > keyBlob.Length - 4) return null;
        return Encoding.ASCII.GetString(keyBlob, 4, (int)length);
    }

    /// <summary>
    /// Reads <c>ssh-fingerprints</c>: one fingerprint per line, either bare (<c>SHA256:abc...</c>)
    /// or a whole <c>ssh-keygen -lf</c> line, from which the <c>SHA256:</c> word is taken.
    /// </summary>
    public static IReadOnlyList<string> ParseList(string inputName, string? text)
    {
        var fingerprints = new List<string>();
        foreach (var (number, line) in SettingText.Lines(text))
        {
            var i = number - 1;
            var word = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(w => w.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase));
            if (word is null)
            {
                var hint = line.StartsWith("MD5:", StringComparison.OrdinalIgnoreCase) || line.Count(c => c == ':') >= 15
                    ? " MD5 fingerprints are not accepted."
                    : "";
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: expected a SHA256 fingerprint such as SHA256:4Ae0...Qs (`ssh-keygen -lf KEYFILE` prints it).{hint}", setting: inputName);
            }

            var base64 = word["SHA256:".Length..].TrimEnd('=');
            if (base64.Length != 43 || !IsBase64(base64 + "="))
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: '{word}' is not a SHA256 fingerprint (43 base64 characters after SHA256:).", setting: inputName);
            fingerprints.Add("SHA256:" + base64);
        }

        return fingerprints;
    }

    /// <summary>Fingerprints are case-sensitive base64: compare them exactly.</summary>
    public static bool Matches(string fingerprint, string offered) =>
        string.Equals(fingerprint, offered, StringComparison.Ordinal);

    private static bool IsBase64(string text)
    {
        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
