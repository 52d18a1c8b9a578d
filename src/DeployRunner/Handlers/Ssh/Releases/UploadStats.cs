using System.Globalization;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What one upload did: files sent (and how), unchanged files copied from the current release on the server, bytes sent.</summary>
internal sealed record UploadStats(int Sent, int Linked, long BytesSent, UploadRoute Route = UploadRoute.Sftp)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"sent {Sent} file{(Sent == 1 ? "" : "s")} ({BytesSent / 1024.0 / 1024.0:0.0} MB, {Route switch
        {
            UploadRoute.TarStream => "one tar stream",
            UploadRoute.SftpWithoutTar => "over SFTP: no tar on the server",
            _ => "over SFTP",
        }}), copied {Linked} unchanged on the server");
}
