using System.Net.Sockets;
using DeployRunner.Workflow;
using Renci.SshNet.Common;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Why a connection failed, in one line a user can act on. SSH.NET's own messages are used only
/// where they cannot carry a secret (never for authentication).
/// </summary>
internal static class SshFailure
{
    public static string Explain(Exception e, SshHost host, TimeSpan connectTimeout, string via) => e switch
    {
        OperationCanceledException or SshOperationTimeoutException =>
            $"no SSH answer within {DurationText.Format(connectTimeout)}{via} (input `connect-timeout`): the server is unreachable, or a firewall drops the connection.",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            $"connection refused on port {host.Port}{via}: no SSH server listens there. Check the port (`ssh-port` or host:port) and that sshd runs.",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } =>
            $"the host name '{host.Host}' could not be resolved. Check `hosts`.",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut } se =>
            $"unreachable ({se.SocketErrorCode}){via}.",
        SocketException se => $"could not connect ({se.SocketErrorCode}){via}.",
        SshAuthenticationException =>
            $"user '{host.User}' was refused (publickey){via}. Check the user (`ssh-user` or user@host) and that the public half of `ssh-key` is in that user's ~/.ssh/authorized_keys.",
        SshConnectionException when via.Length > 0 =>
            $"the SSH connection failed{via}: the jump host could not reach {host.Host} port {host.Port}, or the server closed the connection.",
        SshConnectionException sce => $"the SSH connection failed: {sce.Message}",
        ProxyException pe => $"the tunnel failed{via}: {pe.Message}",
        _ => $"could not connect{via}: {e.GetType().Name}: {e.Message}",
    };
}
