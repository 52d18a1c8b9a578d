using Renci.SshNet;

namespace DeployRunner.Handlers.Ssh;

/// <summary>SFTP for release uploads, kept apart from the connection's exec code.</summary>
internal sealed partial class SshConnection
{
    /// <summary>
    /// Opens an SFTP session to the same server, the same way this connection was made: the same
    /// address (or the same jump-host tunnel), the same user and key, and the same host-key
    /// policy, checked in <c>HostKeyReceived</c> again. SSH.NET's <c>SftpClient</c> cannot share
    /// the exec client's session (its constructor that takes one is internal), so this is a second
    /// transport to the same, already verified, server; no second host-key policy exists.
    /// </summary>
    public async Task<SftpClient> OpenSftpAsync(SshSettings settings, CancellationToken cancellationToken)
    {
        var address = _forward is null ? Host.Host : "127.0.0.1";
        var port = _forward is null ? Host.Port : (int)_forward.BoundPort;
        // The same login as the exec connection, host-key algorithms included.
        var info = NewConnectionInfo(Host, settings, address, port, settings.HostKeys.PreferredAlgorithms(Host));
        // Large writes in few round trips: SSH.NET sends up to this much per WRITE without waiting.
        var client = new SftpClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(30), BufferSize = 256 * 1024, OperationTimeout = TimeSpan.FromMinutes(2) };
        HostKeyDecision? decision = null;
        client.HostKeyReceived += (_, e) =>
        {
            decision = settings.HostKeys.Decide(Host, Offered(e));
            e.CanTrust = decision.Accept;
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.ConnectTimeout);
        try
        {
            await client.ConnectAsync(deadline.Token);
            return client;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            if (decision is { Accept: false }) throw new HostConnectException(decision.Message!, true);
            throw new HostConnectException($"{Host.Display}: could not open SFTP for the upload: {e.Message}", false);
        }
    }
}
