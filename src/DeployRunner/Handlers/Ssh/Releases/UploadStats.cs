using System.Globalization;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What one upload did: files sent (over SFTP, or in one tar stream), files reused by hard link, bytes sent.</summary>
internal sealed record UploadStats(int Sent, int Linked, long BytesSent, bool AsTar = false)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"sent {Sent} files ({BytesSent / 1024.0 / 1024.0:0.0} MB{(AsTar ? ", one tar stream" : "")}), linked {Linked} unchanged");
}
