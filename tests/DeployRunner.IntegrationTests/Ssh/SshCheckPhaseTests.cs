using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DeployRunner.Handlers;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// The two phases of an ssh run: every host checked before anything runs (the first wave on the
/// connection its script then runs on, later hosts on a curve25519 check connection with no data),
/// then at most <c>max-parallel</c> at a time, later hosts on new connections with the default key
/// exchange pinned to the key the check saw. Each test starts its own sshd (LogLevel DEBUG1, so its log
/// names the key exchange of every connection), so counts are not disturbed by other tests.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed partial class SshCheckPhaseTests(SshServers servers) : IDisposable
{
    private readonly SshHarness _ssh = new(servers);
    private readonly List<Process> _own = [];

    private string Scratch => _ssh.Scratch;

    public void Dispose()
    {
        foreach (var server in _own)
        {
            if (!server.HasExited) server.Kill();
            server.WaitForExit(5000);
            server.Dispose();
        }

        Directory.Delete(Scratch, recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_every_host_in_the_first_wave_each_server_sees_one_connection_with_the_default_key_exchange()
    {
        var sshd = await StartOwnServerAsync(3);

        var run = await _ssh.RunAsync(Inputs(sshd, "echo ran on $(hostname)"));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        // max-parallel is all of them: each check connection is the one its script then runs on.
        var expected = DefaultKeyExchangeAgainst(sshd);
        Assert.NotEqual("curve25519-sha256", expected);
        Assert.Equal([expected, expected, expected], KeyExchanges(sshd));
    }

    [Fact(Timeout = 60_000)]
    public async Task Hosts_after_the_first_wave_are_checked_on_curve25519_and_run_on_a_new_connection_with_the_default_key_exchange()
    {
        var sshd = await StartOwnServerAsync(3);

        var run = await _ssh.RunAsync(Inputs(sshd, "echo ran on $(hostname)").With("max-parallel", "1"));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        var kex = KeyExchanges(sshd);
        var expected = DefaultKeyExchangeAgainst(sshd);
        // The first host: one connection (checked, kept, run). The two others: a check connection
        // each, then a run connection each. The checks all come first.
        Assert.Equal(5, kex.Count);
        Assert.Equal(2, kex.Take(3).Count(k => k == "curve25519-sha256"));
        Assert.Equal(1, kex.Take(3).Count(k => k == expected));
        Assert.All(kex.Skip(3), k => Assert.Equal(expected, k));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_first_wave_connection_closed_while_the_rest_of_the_fleet_is_checked_is_made_again_pinned_and_the_script_runs()
    {
        // The first host's connection is kept for its script; the second host's check is held
        // at a relay until the test has killed that connection on the server (what an sshd
        // restart or a firewall does), so the run finds it closed.
        var sshd = await StartOwnServerAsync(1);
        await using var relay = HeldRelay.Start(sshd.Addresses[0], sshd.Port);
        var key = File.ReadAllText(sshd.HostKeyFile + ".pub").Trim();
        var inputs = _ssh.Inputs($"touch '{Scratch}'/\"ran.$(echo \"$SSH_CONNECTION\" | cut -d' ' -f2)\"", 0)
            .With("hosts", $"{sshd.Host(0)}\n127.0.0.1:{relay.Port}")
            .With("ssh-known-hosts", $"[{sshd.Addresses[0]}]:{sshd.Port} {key}\n[127.0.0.1]:{relay.Port} {key}\n")
            .With("max-parallel", "1");

        var running = _ssh.RunAsync(inputs);
        await WaitForAsync(() => File.ReadAllText(sshd.Log).Contains("Accepted publickey", StringComparison.Ordinal), "the first host's login");
        await Task.Delay(500);
        SshServers.Run("bash", "-c", $"kids=$(pgrep -d, -P {sshd.Process.Id}) && pkill -KILL -P \"$kids\"; pkill -KILL -P {sshd.Process.Id}");
        await Task.Delay(500);
        relay.Release();
        var run = await running;

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains(run.Lines, l => l.Contains($"{sshd.Host(0)}: the connection from the check was closed while the other hosts were checked; connecting again", StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(Scratch, "ran.*").Length);
        // The first host: the kept connection and the new one; the relayed host: its check and its run.
        var kex = KeyExchanges(sshd);
        Assert.Equal(4, kex.Count);
        Assert.Equal(1, kex.Count(k => k == "curve25519-sha256"));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 300 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition(), $"timed out waiting for {what}");
    }

    /// <summary>A TCP relay on 127.0.0.1 to one sshd that holds every connection until <see cref="Release"/>: a host whose check is slow.</summary>
    private sealed class HeldRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _relays = [];
        private Task _accepting = Task.CompletedTask;

        public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

        public static HeldRelay Start(string address, int port)
        {
            var relay = new HeldRelay();
            relay._listener.Start();
            relay._accepting = relay.AcceptAsync(address, port);
            return relay;
        }

        public void Release() => _released.TrySetResult();

        private async Task AcceptAsync(string address, int port)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_relays) _relays.Add(RelayAsync(client, address, port));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task RelayAsync(TcpClient client, string address, int port)
        {
            using (client)
            {
                try
                {
                    await _released.Task.WaitAsync(_stop.Token);
                    using var server = new TcpClient();
                    await server.ConnectAsync(address, port, _stop.Token);
                    using var toServer = client.GetStream();
                    using var fromServer = server.GetStream();
                    var up = toServer.CopyToAsync(fromServer, _stop.Token);
                    var down = fromServer.CopyToAsync(toServer, _stop.Token);
                    await Task.WhenAny(up, down);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
                {
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Task[] relays;
            lock (_relays) relays = [.. _relays];
            await Task.WhenAll(relays);
            _stop.Dispose();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_host_key_that_changes_between_the_check_and_the_run_is_refused_and_nothing_runs_on_that_host()
    {
        // Both keys are pinned, so the policy alone would accept either: only the check's pin refuses.
        var sshd = await StartOwnServerAsync(2);
        var second = Path.Combine(sshd.Directory, "second_host");
        SshServers.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", second);
        var fingerprints = string.Join('\n', FingerprintOf(sshd.HostKeyFile + ".pub"), FingerprintOf(second + ".pub"));
        // The first host swaps the server's key (sshd rereads it on SIGHUP) and waits until it is served.
        var script = $"""
            here=$(echo "$SSH_CONNECTION" | cut -d' ' -f3)
            touch '{Scratch}'/"ran.$here"
            if [ "$here" = {sshd.Addresses[0]} ]; then
              cp '{second}' '{sshd.HostKeyFile}'
              kill -HUP {sshd.Process.Id}
              for i in $(seq 100); do
                ssh-keyscan -t ed25519 -p {sshd.Port} {sshd.Addresses[1]} 2>/dev/null | grep -qF "$(cut -d' ' -f2 '{second}.pub')" && exit 0
                sleep 0.1
              done
              exit 7
            fi
            """;
        var inputs = Inputs(sshd, script).With("max-parallel", "1").With("ssh-known-hosts", "").With("ssh-fingerprints", fingerprints);

        var run = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.Equal("ok", run.Target(sshd.Host(0)).Result);
        Assert.Equal("refused", run.Target(sshd.Host(1)).Result);
        Assert.False(File.Exists(Path.Combine(Scratch, "ran." + sshd.Addresses[1])), "nothing may run on a host whose key changed after the check");
        var error = Assert.Single(run.Errors, e => e.Contains("HOST KEY CHANGED", StringComparison.Ordinal));
        Assert.Contains(sshd.Host(1), error);
        Assert.Contains(FingerprintOf(second + ".pub"), error);
    }

    [Fact(Timeout = 90_000)]
    public async Task With_eight_hosts_and_max_parallel_2_never_more_than_2_scripts_run_at_once()
    {
        var sshd = await StartOwnServerAsync(8);
        var events = Path.Combine(Scratch, "events");
        var counts = Path.Combine(Scratch, "counts");
        // Each script appends its start and its end (appends of one short line are atomic), so
        // starts minus ends is how many run at that moment: no clock, no socket count (a closed
        // connection's socket lingers). A script ends before its connection closes and the next
        // one opens, so the count cannot overstate. The first script waits for a second to start,
        // which proves two run at once.
        var script = $$"""
            running() { echo $(( $(grep -c '^start' '{{events}}') - $(grep -c '^end' '{{events}}') )); }
            echo start >> '{{events}}'
            if [ "$(grep -c '^start' '{{events}}')" = 1 ]; then
              for i in $(seq 600); do [ "$(running)" -ge 2 ] && break; sleep 0.1; done
            fi
            running >> '{{counts}}'
            echo end >> '{{events}}'
            """;

        var run = await _ssh.RunAsync(Inputs(sshd, script).With("max-parallel", "2"));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        var samples = File.ReadAllLines(counts).Select(int.Parse).ToList();
        Assert.Equal(8, samples.Count);
        Assert.True(samples.Max() <= 2, $"scripts running at once, as each saw it: {string.Join(' ', samples)}");
        Assert.Contains(2, samples); // two really ran at once
    }

    [Fact(Timeout = 60_000)]
    public async Task A_host_that_refuses_the_login_at_the_check_means_nothing_runs_anywhere()
    {
        var inputs = _ssh.Inputs($"touch '{Scratch}'/ran", 0)
            .With("hosts", $"{servers.Host(0)}\nghost-user@{servers.Host(1)}\n{servers.Host(2)}")
            .With("max-parallel", "1");

        var run = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")), "nothing may run when a login is refused at the check");
        Assert.Equal(["skipped", "error", "skipped"], run.Result.Targets.Select(t => t.Result));
        Assert.Contains("user 'ghost-user' was refused", run.Target(servers.Host(1)).Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task Output_read_slower_than_it_arrives_loses_no_line_when_the_run_connection_closes()
    {
        // The script ends at once; the log takes about 4 s to take its 400 lines, longer than
        // the old 2 s wait before the command and its connection were closed.
        var run = await _ssh.RunAsync(
            _ssh.Inputs("seq -f 'line %03g' 1 400", 0),
            onLine: l => { if (l.Contains(" | line ", StringComparison.Ordinal)) Thread.Sleep(10); });

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        var lines = run.Lines.Where(l => l.StartsWith(servers.Host(0) + " | line ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"{servers.Host(0)} | line {i:000}"), lines);
    }

    private DeployRunner.Inputs.InputSet Inputs(OwnServer sshd, string script) =>
        _ssh.Inputs(script, 0)
            .With("hosts", string.Join('\n', Enumerable.Range(0, sshd.Addresses.Count).Select(sshd.Host)))
            .With("ssh-known-hosts", string.Join('\n', sshd.Addresses.Select(a => $"[{a}]:{sshd.Port} {File.ReadAllText(sshd.HostKeyFile + ".pub").Trim()}")) + "\n");

    /// <summary>The key exchange of every connection, in the order sshd logged them.</summary>
    private static List<string> KeyExchanges(OwnServer sshd) =>
        File.ReadAllLines(sshd.Log).Select(l => KexLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    /// <summary>What SSH.NET's default order picks against this sshd: its first algorithm the server offers.</summary>
    private static string DefaultKeyExchangeAgainst(OwnServer sshd)
    {
        var serverList = SshServers.Run("/usr/sbin/sshd", "-T", "-f", sshd.Config)
            .Split('\n').Single(l => l.StartsWith("kexalgorithms ", StringComparison.Ordinal))["kexalgorithms ".Length..].Trim().Split(',');
        var client = new Renci.SshNet.ConnectionInfo("127.0.0.1", SshServers.User, new Renci.SshNet.NoneAuthenticationMethod(SshServers.User));
        return client.KeyExchangeAlgorithms.Keys.First(serverList.Contains);
    }

    private static string FingerprintOf(string publicKeyFile) =>
        SshServers.Run("ssh-keygen", "-l", "-E", "sha256", "-f", publicKeyFile).Split(' ')[1];

    [GeneratedRegex(@"kex: algorithm: (\S+)")]
    private static partial Regex KexLine();

    private sealed record OwnServer(Process Process, string Directory, string Config, string Log, string HostKeyFile, IReadOnlyList<string> Addresses, int Port)
    {
        public string Host(int index) => $"{Addresses[index]}:{Port}";
    }

    /// <summary>An sshd of this test's own on 127.0.3.1 onwards, with the fleet's client keys and a host key of its own.</summary>
    private async Task<OwnServer> StartOwnServerAsync(int addresses)
    {
        var directory = Path.Combine(Scratch, "sshd");
        Directory.CreateDirectory(directory);
        var hostKey = Path.Combine(directory, "own_host");
        SshServers.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey);
        var list = Enumerable.Range(1, addresses).Select(i => $"127.0.3.{i}").ToList();
        var port = 20000 + Random.Shared.Next(20000);
        var config = Path.Combine(directory, "sshd_config");
        var log = Path.Combine(directory, "sshd.log");
        File.WriteAllText(config, $"""
            Port {port}
            {string.Join('\n', list.Select(a => "ListenAddress " + a))}
            HostKey {hostKey}
            AuthorizedKeysFile {Path.Combine(servers.Directory, "authorized_keys")}
            PidFile {Path.Combine(directory, "sshd.pid")}
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            MaxStartups 200
            LogLevel DEBUG1
            """);
        var info = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false };
        foreach (var argument in new[] { "-D", "-f", config, "-E", log }) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        _own.Add(process);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        foreach (var address in list)
        {
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(address, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(50);
                }
            }
        }

        return new OwnServer(process, directory, config, log, hostKey, list, port);
    }
}
