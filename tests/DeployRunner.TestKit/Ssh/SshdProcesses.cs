using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DeployRunner.TestKit;

/// <summary>What every fixture that starts its own sshd processes needs: a port, keys, and the wait until it listens.</summary>
internal static class SshdProcesses
{
    /// <summary>A port free on every IPv4 and IPv6 address (dual-stack), for one sshd to take.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Server.DualMode = true;
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A new key pair without passphrase, <c>DIRECTORY/NAME</c> and <c>.pub</c>; returns the private key's path.</summary>
    public static string Keygen(string directory, string name, string type, params string[] extra)
    {
        var file = Path.Combine(directory, name);
        SshServers.Run("ssh-keygen", ["-q", "-t", type, .. extra, "-N", "", "-C", name, "-f", file]);
        return file;
    }

    /// <summary>
    /// Waits until <paramref name="address"/>:<paramref name="port"/> accepts a connection: at most
    /// 15 s, and no longer once one of <paramref name="servers"/> has exited; the failure carries the
    /// sshd logs in <paramref name="logDirectory"/>.
    /// </summary>
    public static async Task WaitForPortAsync(string address, int port, IReadOnlyList<Process> servers, string logDirectory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Parse(address), port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && servers.All(s => !s.HasExited))
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                if (address == "::1" && !Socket.OSSupportsIPv6)
                    throw new InvalidOperationException("The ssh tests need the IPv6 loopback address ::1, which this machine lacks (net.ipv6.conf.lo.disable_ipv6=1?).");
                var logs = string.Join("\n", Directory.GetFiles(logDirectory, "*.log").Select(File.ReadAllText));
                throw new InvalidOperationException($"sshd did not listen on {address}:{port}. Its log:\n{logs}");
            }
        }
    }
}
