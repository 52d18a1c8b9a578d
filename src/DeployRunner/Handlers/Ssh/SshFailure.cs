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
    public static string Explain(Exception e, SshHost host, TimeSpan connectTimeout, string via, OpenSshCertificate? certificate = null) => e switch
    {
        SshAuthenticationException when certificate is not null => CertificateRefused(host, certificate, via),
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

    /// <summary>
    /// The server said no to a certificate the runner found valid: what is left is the server's
    /// trust (its <c>TrustedUserCAKeys</c>) and its principals for the user, so say what the
    /// certificate offers, and which principal is plainly missing.
    /// </summary>
    private static string CertificateRefused(SshHost host, OpenSshCertificate certificate, string via)
    {
        var principal = certificate.Principals.Count > 0 && !certificate.Principals.Contains(host.User, StringComparer.Ordinal)
            ? $" None of its principals ({certificate.PrincipalList}) is '{host.User}': unless the server's AuthorizedPrincipalsFile for '{host.User}' lists one of them, this is a certificate for another principal."
            : "";
        return $"user '{host.User}' was refused with certificate {SshUserCertificate.Describe(certificate)}{via}.{principal} "
            + "Check that the server's TrustedUserCAKeys holds that CA and that its AuthorizedPrincipalsFile (or, without one, the user name) matches a principal.";
    }
}
