using System.Globalization;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What one upload did: files sent over SFTP, files reused by hard link, bytes sent.</summary>
internal sealed record UploadStats(int Sent, int Linked, long BytesSent)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"sent {Sent} files ({BytesSent / 1024.0 / 1024.0:0.0} MB), linked {Linked} unchanged");
}
