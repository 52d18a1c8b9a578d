namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// The bastions of <c>ssh-jump-host</c>, connected once per run in the order given, each through
/// the one before it (as OpenSSH's <c>-J a,b</c>), each with its host key checked by the same
/// policy as the servers. Every server of the run is reached through <see cref="Last"/>: one
/// chain, however many servers.
/// </summary>
internal sealed class SshJumpChain : IDisposable
{
    private readonly List<SshConnection> _hops;

    private SshJumpChain(List<SshConnection> hops) => _hops = hops;

    /// <summary>The hop the servers' tunnels start from.</summary>
    public SshConnection Last => _hops[^1];

    /// <summary>
    /// Connects hop after hop. A hop that fails closes the ones before it and throws
    /// <see cref="HostConnectException"/>, its message naming the hop and its place in the chain.
    /// </summary>
    public static async Task<SshJumpChain> ConnectAsync(IReadOnlyList<SshHost> hops, SshSettings settings, Action<string> warn, CancellationToken cancellationToken)
    {
        var connected = new List<SshConnection>();
        try
        {
            foreach (var hop in hops)
            {
                try
                {
                    connected.Add(await SshConnection.ConnectAsync(hop, settings, connected.LastOrDefault(), warn, cancellationToken));
                }
                catch (HostConnectException e) when (hops.Count > 1)
                {
                    throw new HostConnectException($"jump host {connected.Count + 1} of {hops.Count}: {e.Message}", e.HostKeyRefused);
                }
            }

            return new SshJumpChain(connected);
        }
        catch
        {
            Close(connected);
            throw;
        }
    }

    /// <summary>How the chain reads in the log and the dry run: <c>deploy@a -&gt; ops@b:2222</c>.</summary>
    public static string Describe(IReadOnlyList<SshHost> hops) => string.Join(" -> ", hops.Select(h => $"{h.User}@{h.Display}"));

    /// <summary>The last hop first: each hop's connection is a tunnel through the one before.</summary>
    public void Dispose() => Close(_hops);

    private static void Close(List<SshConnection> hops)
    {
        for (var i = hops.Count - 1; i >= 0; i--) hops[i].Dispose();
    }
}
