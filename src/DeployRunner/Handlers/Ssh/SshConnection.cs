using System.Net.Sockets;
using System.Text;
using DeployRunner.ChildProcesses;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// One authenticated SSH connection to a server whose host key was checked, directly or through
/// the jump host (a local port forwarded over the bastion's connection).
/// </summary>
internal sealed partial class SshConnection : IDisposable
{
    private readonly SshClient _client;
    private readonly ForwardedPortLocal? _forward;
    private readonly SshConnection? _jumpHost;

    private SshConnection(SshHost host, SshClient client, ForwardedPortLocal? forward, SshConnection? jumpHost, OfferedHostKey hostKey)
    {
        Host = host;
        _client = client;
        _forward = forward;
        _jumpHost = jumpHost;
        HostKey = hostKey;
    }

    public SshHost Host { get; }

    /// <summary>The host key (and certificate) this connection accepted, for pinning the next connection to it.</summary>
    public OfferedHostKey HostKey { get; }

    /// <summary>
    /// Whether the connection is still up, as far as the client knows without a round trip (a
    /// closed socket, or a keepalive that failed). Never throws: a disposed client is not connected.
    /// </summary>
    public bool IsConnected
    {
        get
        {
            try
            {
                return _client.IsConnected;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>The underlying client, for forwarding through it when this is the jump host.</summary>
    internal SshClient Client => _client;

    /// <summary>
    /// Connects, checks the host key in <c>HostKeyReceived</c> (before authentication, so a refused
    /// server never sees the key), and authenticates. Throws <see cref="HostConnectException"/>
    /// with a one-line reason, or <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static async Task<SshConnection> ConnectAsync(
        SshHost host,
        SshSettings settings,
        SshConnection? jumpHost,
        Action<string> warn,
        CancellationToken cancellationToken) =>
        await ConnectAsync(host, settings, jumpHost, warn, HostKeyPin.None, cancellationToken);

    /// <summary>
    /// The check connection: the same host-key policy and the same login, but negotiated with
    /// <c>curve25519-sha256</c> first (about 5 ms of CPU in SSH.NET against about 100 ms for the
    /// default <c>sntrup761x25519</c>). The caller closes it at once: it carries no data, no
    /// channel is ever opened on it. Its <see cref="HostKey"/> pins the run connection.
    /// </summary>
    public static async Task<SshConnection> CheckAsync(
        SshHost host,
        SshSettings settings,
        SshConnection? jumpHost,
        Action<string> warn,
        CancellationToken cancellationToken) =>
        await ConnectAsync(host, settings, jumpHost, warn, HostKeyPin.CheapCheck, cancellationToken);

    /// <summary>
    /// The run connection after a check: the default key exchange (unchanged strength for the
    /// script, its environment and its output), and the server must present exactly
    /// <paramref name="checkedKey"/>, the key the check connection accepted. Any other key,
    /// even one the policy would accept, is refused: the fleet was checked with that key.
    /// </summary>
    public static async Task<SshConnection> ConnectPinnedAsync(
        SshHost host,
        SshSettings settings,
        SshConnection? jumpHost,
        OfferedHostKey checkedKey,
        CancellationToken cancellationToken) =>
        await ConnectAsync(host, settings, jumpHost, _ => { }, new HostKeyPin(false, checkedKey), cancellationToken);

    private static async Task<SshConnection> ConnectAsync(
        SshHost host,
        SshSettings settings,
        SshConnection? jumpHost,
        Action<string> warn,
        HostKeyPin pin,
        CancellationToken cancellationToken)
    {
        var address = host.Host;
        var port = host.Port;
        ForwardedPortLocal? forward = null;
        var via = jumpHost is null ? "" : $" through jump host {jumpHost.Host.Display}";
        if (jumpHost is not null)
        {
            try
            {
                forward = new ForwardedPortLocal("127.0.0.1", 0, host.Host, (uint)host.Port);
                jumpHost.Client.AddForwardedPort(forward);
                forward.Start();
            }
            catch (Exception e) when (e is SshException or SocketException or InvalidOperationException)
            {
                forward?.Dispose();
                throw new HostConnectException($"{host.Display}: could not open a tunnel{via}: {e.Message}", false);
            }

            address = "127.0.0.1";
            port = (int)forward.BoundPort;
        }

        var preferred = pin.Key is { } pinned ? pinned.Algorithms() : settings.HostKeys.PreferredAlgorithms(host);
        var (client, decision, error) = await TryConnectAsync(host, settings, address, port, preferred, pin, cancellationToken);

        if (client is null)
        {
            if (forward is not null) StopForward(jumpHost!, forward);
            if (decision is { Accept: false }) throw new HostConnectException(decision.Message!, true);
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            throw new HostConnectException($"{host.Display}: {SshFailure.Explain(error!, host, settings.ConnectTimeout, via, settings.Certificate)}", false);
        }

        if (decision is { Verdict: HostKeyVerdict.Unknown, Accept: true }) warn(decision.Message!);
        return new SshConnection(host, client, forward, jumpHost, decision?.Offered ?? OfferedHostKey.Plain([]));
    }

    /// <summary>The most threads <see cref="ReserveThreadsFor"/> asks the pool to keep ready.</summary>
    private const int MaxReservedThreads = 256;

    /// <summary>
    /// SSH.NET's connect waits for the key exchange by blocking a thread-pool thread, and so does
    /// opening a command's channel. The pool starts with one thread per core and adds threads
    /// slowly while all are blocked, so 20 servers connected at once on a 2-core runner queued
    /// behind each other (the chain bench: 20 s against 10 s with threads enough). The pool's floor
    /// is raised to what a run blocks at once: a connect and a channel per server in flight.
    /// </summary>
    public static void ReserveThreadsFor(int connectionsAtOnce)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = Math.Min(2 * connectionsAtOnce + Environment.ProcessorCount, MaxReservedThreads);
        if (wanted > workers) ThreadPool.SetMinThreads(wanted, completionPorts);
    }

    /// <summary>How a connection treats the host key: the policy alone, the policy on a cheap check connection, or exactly one key.</summary>
    private sealed record HostKeyPin(bool PreferCheapKeyExchange, OfferedHostKey? Key)
    {
        public static readonly HostKeyPin None = new(false, null);
        public static readonly HostKeyPin CheapCheck = new(true, null);
    }

    /// <summary>The key exchanges a check connection asks for first: cheap, and still elliptic-curve Diffie-Hellman.</summary>
    private static readonly string[] CheapKeyExchanges = ["curve25519-sha256", "curve25519-sha256@libssh.org"];

    /// <summary>
    /// What the server offered: its host certificate when it presented one (SSH.NET hands the key
    /// under it as <c>HostKey</c> and the certificate apart), else its plain key.
    /// </summary>
    internal static OfferedHostKey Offered(HostKeyEventArgs e) =>
        new(e.HostKey, e.Certificate is { } certificate ? OpenSshCertificate.FromSshNet(certificate, e.HostKey) : null);

    /// <summary>
    /// The pinned-key decision: the very key the check accepted, or a refusal that says it changed.
    /// For a host certificate, the same certificate, or another one over the same key that the
    /// policy accepts on its own (a CA may re-sign a host between the two connections).
    /// </summary>
    internal static HostKeyDecision DecidePinned(SshHost host, HostKeyPolicy policy, OfferedHostKey pinned, OfferedHostKey offered)
    {
        var fingerprint = HostKeyFingerprint.Sha256(offered.Key);
        if (offered.SameAs(pinned)) return new(HostKeyVerdict.Trusted, true, fingerprint, null) { Offered = offered };
        if (pinned.Certificate is not null && offered.Certificate is not null && offered.Key.AsSpan().SequenceEqual(pinned.Key))
            return policy.Decide(host, offered) with { Offered = offered };
        return new(HostKeyVerdict.Mismatch, false, fingerprint,
            $"{host.Display}: HOST KEY CHANGED between the check and the run. The check accepted {Describe(pinned)}, the server now offers "
            + $"{Describe(offered)}. Someone may be intercepting the connection: nothing was run on it.")
        { Offered = offered };
    }

    private static string Describe(OfferedHostKey key) =>
        key.Certificate is { } certificate
            ? $"{certificate.CertificateType} {HostKeyFingerprint.Sha256(key.Key)} (key id '{certificate.KeyId}')"
            : $"{HostKeyFingerprint.KeyTypeOf(key.Key) ?? "unknown"} {HostKeyFingerprint.Sha256(key.Key)}";

    /// <summary>
    /// How every connection to <paramref name="host"/> logs in: the deploy key, the connect timeout
    /// and, when the pinned keys name their types, those host-key algorithms first (so the server
    /// offers a key the policy can check). The exec and the SFTP connection share it.
    /// </summary>
    private static ConnectionInfo NewConnectionInfo(SshHost host, SshSettings settings, string address, int port, IReadOnlySet<string>? preferred)
    {
        var info = new ConnectionInfo(address, port, host.User, new PrivateKeyAuthenticationMethod(host.User, settings.Key))
        {
            Timeout = settings.ConnectTimeout,
            Encoding = Encoding.UTF8,
        };
        if (preferred is not null)
        {
            // First, not only: the dictionary is also where SSH.NET finds the verifier of a host
            // certificate's CA signature (a plain `ssh-ed25519` for an Ed25519 CA), and a server
            // without any preferred type still offers a key that the refusal can name.
            var position = 0;
            foreach (var name in info.HostKeyAlgorithms.Keys.Where(preferred.Contains).ToList())
                info.HostKeyAlgorithms.SetPosition(name, position++);
        }

        return info;
    }

    private static async Task<(SshClient? Client, HostKeyDecision? Decision, Exception? Error)> TryConnectAsync(
        SshHost host, SshSettings settings, string address, int port, IReadOnlySet<string>? preferred, HostKeyPin pin, CancellationToken cancellationToken)
    {
        var info = NewConnectionInfo(host, settings, address, port, preferred);
        if (pin.PreferCheapKeyExchange)
        {
            // Only the order changes: a server without curve25519 still gets the default list.
            foreach (var name in CheapKeyExchanges.Reverse().Where(info.KeyExchangeAlgorithms.ContainsKey))
                info.KeyExchangeAlgorithms.SetPosition(name, 0);
        }

        var presented = CapturePresentedCertificate(info);
        var client = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(30) };
        HostKeyDecision? decision = null;
        client.HostKeyReceived += (_, e) =>
        {
            var offered = Offered(e);
            decision = pin.Key is { } pinned
                ? DecidePinned(host, settings.HostKeys, pinned, offered)
                : settings.HostKeys.Decide(host, offered) with { Offered = offered };
            e.CanTrust = decision.Accept;
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.ConnectTimeout);
        try
        {
            await client.ConnectAsync(deadline.Token);
            return (client, decision, null);
        }
        catch (Exception e)
        {
            client.Dispose();
            if (decision is null && e is SshException && presented.Bytes is { } bytes)
                decision = ExplainRefusedCertificate(host, settings.HostKeys, pin, bytes, presented.PlainAlgorithms);
            return (null, decision, e);
        }
    }

    /// <summary>The host certificate a server presented in the key exchange, as SSH.NET received it.</summary>
    private sealed class PresentedCertificate
    {
        public byte[]? Bytes { get; set; }

        /// <summary>The plain key algorithms: a certificate's CA key is one of them.</summary>
        public IReadOnlyDictionary<string, Func<byte[], KeyHostAlgorithm>> PlainAlgorithms { get; init; } = new Dictionary<string, Func<byte[], KeyHostAlgorithm>>();
    }

    /// <summary>
    /// SSH.NET checks a host certificate's validity window (and then its CA signature) before it
    /// raises <c>HostKeyReceived</c>, and a refusal there ends the key exchange with its own
    /// words. Each certificate algorithm's factory receives the certificate's bytes first: keep
    /// them, so that a refusal can be explained from the certificate itself.
    /// </summary>
    private static PresentedCertificate CapturePresentedCertificate(ConnectionInfo info)
    {
        var plainAlgorithms = info.HostKeyAlgorithms.Where(a => !HostKeyPolicy.CertificateAlgorithms.Contains(a.Key)).ToDictionary(StringComparer.Ordinal);
        var presented = new PresentedCertificate { PlainAlgorithms = plainAlgorithms };
        foreach (var name in info.HostKeyAlgorithms.Keys.Where(HostKeyPolicy.CertificateAlgorithms.Contains).ToList())
        {
            var create = info.HostKeyAlgorithms[name];
            info.HostKeyAlgorithms[name] = bytes =>
            {
                presented.Bytes = bytes;
                return name == Ed25519Certificates.CertificateType ? Ed25519Certificates.HostAlgorithm(bytes, plainAlgorithms) : create(bytes);
            };
        }

        return presented;
    }

    /// <summary>
    /// Why SSH.NET refused the host certificate <paramref name="bytes"/>, in our words: the policy's
    /// decision (its validity window, CA, principals); when the policy finds nothing wrong, the
    /// CA's signature, checked here with the same algorithms; and when that verifies too, the one
    /// check left: the server's own signature over the key exchange, made with the certified key.
    /// </summary>
    private static HostKeyDecision? ExplainRefusedCertificate(
        SshHost host, HostKeyPolicy policy, HostKeyPin pin, byte[] bytes, IReadOnlyDictionary<string, Func<byte[], KeyHostAlgorithm>> plainAlgorithms)
    {
        if (OpenSshCertificate.TryParse(bytes) is not { } certificate) return null;
        var offered = new OfferedHostKey(certificate.PublicKey, certificate);
        var decision = pin.Key is { } pinned ? DecidePinned(host, policy, pinned, offered) : policy.Decide(host, offered) with { Offered = offered };
        if (!decision.Accept) return decision;
        var why = certificate.ValidityProblem(policy.Time.GetUtcNow()) is { } problem ? $"it is {problem}"
            : !CaSignatureVerifies(certificate, plainAlgorithms) ? $"its CA signature does not verify (CA {certificate.CaFingerprint})"
            : "the server's signature over the key exchange does not verify with the certified key (the server does not hold the key its certificate is for)";
        return new HostKeyDecision(HostKeyVerdict.CertificateRefused, false, certificate.KeyFingerprint,
            $"{host.Display}: host certificate refused: {why}. The server offered {certificate.CertificateType} {certificate.KeyFingerprint} (key id '{certificate.KeyId}', signed by CA {certificate.CaFingerprint}). Nothing was run on it.")
        { Offered = offered };
    }

    /// <summary>Whether the CA's signature over <paramref name="certificate"/> verifies, with SSH.NET's plain key algorithms.</summary>
    internal static bool CaSignatureVerifies(OpenSshCertificate certificate, IReadOnlyDictionary<string, Func<byte[], KeyHostAlgorithm>> plainAlgorithms)
    {
        try
        {
            return plainAlgorithms.TryGetValue(certificate.SignatureAlgorithm, out var create)
                && create(certificate.CaKey).VerifySignature(certificate.SignedBytes.ToArray(), certificate.Signature);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or SshException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="commandText"/>, handing each line of stdout and stderr to
    /// <paramref name="onLine"/> as it arrives. On cancellation the remote process gets TERM
    /// (a <c>signal</c> request), and the channel is closed, which the supervisor script in
    /// <see cref="RemoteCommand"/> turns into killing the script's whole process group.
    /// </summary>
    public async Task<RemoteOutcome> RunAsync(string commandText, Action<string> onLine, Action onBatchEnd, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteAsync(commandText, onLine, onBatchEnd, time, cancellationToken);
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw new HostConnectException($"{Host.Display}: the connection failed while the script ran ({e.Message}).", false);
        }
    }

    private async Task<RemoteOutcome> ExecuteAsync(string commandText, Action<string> onLine, Action onBatchEnd, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var command = _client.CreateCommand(commandText, Encoding.UTF8);
        // ExecuteAsync opens the channel synchronously: keep that off the caller's thread.
        var execution = await Task.Factory.StartNew(() => command.ExecuteAsync(CancellationToken.None), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        var stdout = Pump(command.OutputStream, onLine, onBatchEnd);
        var stderr = Pump(command.ExtendedOutputStream, onLine, onBatchEnd);

        // SSH.NET's own cancellation waits for the server's answer on the thread that cancels;
        // here every host is stopped at once, each on a thread of its own (a dead server makes
        // the wait last its full second, and pool threads are scarce on a 2-core runner).
        await using var onCancel = cancellationToken.Register(() => Task.Factory.StartNew(() =>
        {
            try
            {
                command.CancelAsync(forceKill: false, millisecondsTimeout: 1000);
            }
            catch (Exception e) when (e is SshException or InvalidOperationException or ObjectDisposedException)
            {
                // Already finished or disconnected: nothing left to stop.
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

        try
        {
            await execution.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Give the server a moment to report the script's end; disposing the command then
            // closes the channel regardless, which the supervisor also acts on.
            await Task.WhenAny(execution, Task.Delay(TimeSpan.FromSeconds(1.5), time));
            return new RemoteOutcome(null, command.ExitSignal, true, time.GetElapsedTime(started));
        }
        finally
        {
            // The channel has closed: what is left is output SSH.NET already holds, so a
            // starved reader gets time to pass it all on (two seconds lost lines at load 40);
            // the command and then the connection are closed right after this.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(
                cancellationToken.IsCancellationRequested ? TimeSpan.Zero : execution.IsCompletedSuccessfully ? DrainBudget : TimeSpan.FromSeconds(2), time));
        }

        return new RemoteOutcome(command.ExitStatus, command.ExitSignal, false, time.GetElapsedTime(started));
    }

    /// <summary>How long the output already received may take to be passed on once the remote command has ended.</summary>
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(30);

    /// <summary>SSH.NET's output streams block on read: each gets its own thread, bounded line by line.</summary>
    private static Task Pump(Stream stream, Action<string> onLine, Action onBatchEnd) =>
        OutputLines.PumpOnOwnThread(stream, onLine, onBatchEnd, CancellationToken.None);

    private static void StopForward(SshConnection jumpHost, ForwardedPortLocal forward)
    {
        try
        {
            forward.Stop();
            jumpHost.Client.RemoveForwardedPort(forward);
        }
        catch (Exception e) when (e is SshException or ObjectDisposedException or InvalidOperationException)
        {
            // The bastion connection is gone already.
        }

        forward.Dispose();
    }

    public void Dispose()
    {
        try
        {
            _client.Dispose();
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException)
        {
            // Closing a connection that already broke.
        }

        if (_forward is not null && _jumpHost is not null) StopForward(_jumpHost, _forward);
    }
}
