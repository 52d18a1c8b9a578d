using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh;

/// <summary>The <c>ssh-known-hosts</c> input, parsed once when the handler is created.</summary>
internal sealed class KnownHosts
{
    private KnownHosts(IReadOnlyList<KnownHostEntry> entries) => Entries = entries;

    public IReadOnlyList<KnownHostEntry> Entries { get; }

    public static KnownHosts Parse(string inputName, string? text)
    {
        var entries = new List<KnownHostEntry>();
        foreach (var (number, line) in SettingText.Lines(text))
        {
            var i = number - 1;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var revoked = false;
            var certAuthority = false;
            if (fields[0].StartsWith('@'))
            {
                switch (fields[0])
                {
                    case "@revoked":
                        revoked = true;
                        break;
                    case "@cert-authority":
                        certAuthority = true;
                        break;
                    default:
                        throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: unknown marker '{fields[0]}' (known_hosts knows @revoked and @cert-authority).", setting: inputName);
                }

                fields = fields[1..];
            }

            if (fields.Length < 3)
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: expected 'host key-type key' as `ssh-keyscan HOST` prints it, found {fields.Length} field(s).", setting: inputName);

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: the key of {fields[1]} is not base64. Copy the line from `ssh-keyscan HOST` unchanged.", setting: inputName);
            }

            if (certAuthority && OpenSshCertificate.IsCertificateType(fields[1]))
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: an @cert-authority line takes the CA's public key (the host_ca.pub that `ssh-keygen -s` signed with), not a certificate.", setting: inputName);
            if (HostKeyFingerprint.KeyTypeOf(blob) != fields[1])
                throw new ConfigurationException($"Input `{inputName}`, line {i + 1}: the key is not a {fields[1]} key. Copy the line from `ssh-keyscan HOST` unchanged.", setting: inputName);

            entries.Add(new KnownHostEntry(fields[0].Split(',', StringSplitOptions.RemoveEmptyEntries), fields[1], blob, revoked, i + 1) { CertAuthority = certAuthority });
        }

        return new KnownHosts(entries);
    }

    /// <summary>The lines that name the host (revoked ones included).</summary>
    public IReadOnlyList<KnownHostEntry> For(SshHost host) =>
        Entries.Where(e => e.Names(host.KnownHostsName)).ToList();
}
