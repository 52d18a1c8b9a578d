using System.Globalization;
using DeployRunner.ChildProcesses;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// One run of the ssh handler over the fleet, holding what the run learns as it goes: each host's
/// result, its open connection, the key its check accepted, the chain the servers are reached
/// through. The check phase logs in to every server and checks every host key, so a refused key
/// or login means nothing runs anywhere; the run phase then runs at most <c>max-parallel</c>
/// hosts at a time. The first wave runs on the connections its check opened; every later host is
/// connected again, pinned to the key its check accepted (<see cref="SshHandler"/>).
/// </summary>
internal sealed class FleetRun(SshSettings settings, HandlerContext context, DeploymentPlan plan)
{
    /// <summary>Connections opened at once while checking the fleet (each is a handshake, cheap but not free).</summary>
    private const int ConnectParallelism = 32;

    /// <summary>How long closing the connections may take (the runner's whole stop budget is 3.5 s).</summary>
    private static readonly TimeSpan CloseBudget = TimeSpan.FromSeconds(1);

    private readonly TargetResult?[] _results = new TargetResult?[settings.Hosts.Count];

    /// <summary>Each host's open connection: for the whole run with releases, else from its check (first wave) or its turn until its script ends.</summary>
    private readonly SshConnection?[] _connections = new SshConnection?[settings.Hosts.Count];

    /// <summary>The host key each host's check connection accepted; null for a host that failed the check.</summary>
    private readonly OfferedHostKey?[] _checkedKeys = new OfferedHostKey?[settings.Hosts.Count];

    /// <summary>The last hop of the chain, the servers' tunnels start from it; null without <c>ssh-jump-host</c>.</summary>
    private SshConnection? _jump;

    private int _finished;

    public async Task<HandlerResult> RunAsync(CancellationToken cancellationToken)
    {
        var hosts = settings.Hosts;
        var log = context.Log;
        SshJumpChain? chain = null;
        SshConnection.ReserveThreadsFor(settings.JumpHosts.Count + Math.Min(hosts.Count, Math.Max(ConnectParallelism, settings.MaxParallel)));
        log.Info($"{plan.Action} on {SshHandler.Count(hosts.Count, "host")}"
                 + (settings.JumpHosts.Count == 0 ? "" : $" through {(settings.JumpHosts.Count == 1 ? "jump host" : "jump hosts")} {SshJumpChain.Describe(settings.JumpHosts)}")
                 + $", at most {Math.Min(settings.MaxParallel, hosts.Count)} at a time{(settings.FailFast ? ", fail-fast" : "")}.");
        try
        {
            if (settings.JumpHosts.Count > 0)
            {
                try
                {
                    chain = await SshJumpChain.ConnectAsync(settings.JumpHosts, settings, m => log.Warning(m, "Unverified host key"), cancellationToken);
                }
                catch (HostConnectException e)
                {
                    log.Error(e.Message, e.HostKeyRefused ? "Host key refused" : "Jump host unreachable");
                    for (var i = 0; i < hosts.Count; i++)
                        _results[i] = new TargetResult(hosts[i].Display, TargetState.Skipped, null, TimeSpan.Zero, $"not run: jump host {SshJumpChain.Describe(settings.JumpHosts)} failed");
                    return HandlerResult.Errored($"Jump host: {e.Message} Nothing was run.", Done());
                }
            }

            _jump = chain?.Last;

            // Releases need every server's connection through both of their phases; a script
            // needs each server's connection while it runs there, and the first wave runs as soon
            // as the check is done, so its check connections are kept for it.
            var releasing = settings.Releases is not null && !plan.IsRemoval;
            var connectFailures = await ConnectAllAsync(keep: releasing ? hosts.Count : Math.Min(settings.MaxParallel, hosts.Count), cancellationToken);
            var refused = connectFailures.Where(f => f.HostKeyRefused).ToList();
            if (refused.Count > 0 || (connectFailures.Count > 0 && settings.FailFast))
            {
                var why = refused.Count > 0 ? "a host key was refused" : "a host could not be reached (fail-fast)";
                SkipRemaining($"not run: {why}");
                return HandlerResult.Errored(
                    refused.Count > 0
                        ? $"Host key check failed for {Names(refused.Select(f => f.Host))}: nothing was run on any host."
                        : $"Could not connect to {Names(connectFailures.Select(f => f.Host))}: nothing was run (fail-fast).",
                    Done());
            }

            // Releases: upload, two phases, switch, rollback; see Releases/ReleaseRun.
            if (settings.Releases is { } releases && !plan.IsRemoval)
            {
                if (connectFailures.Count > 0)
                {
                    SkipRemaining("not run: releases switch all servers or none, and a server could not be reached");
                    return HandlerResult.Errored($"Could not connect to {Names(connectFailures.Select(f => f.Host))}: nothing was uploaded or switched.", Done());
                }

                var release = new Releases.ReleaseRun(settings, releases, context, plan);
                return plan.Deployment.Task.Equals("rollback", StringComparison.OrdinalIgnoreCase)
                    ? await release.RollbackAsync(_connections.Select(c => c!).ToList(), cancellationToken)
                    : await release.DeployAsync(_connections.Select(c => c!).ToList(), cancellationToken);
            }

            await RunEverywhereAsync(plan.Script!, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hosts that never started are reported as such below.
        }
        finally
        {
            await CloseAllAsync(chain);
        }

        for (var i = 0; i < hosts.Count; i++)
            _results[i] ??= new TargetResult(hosts[i].Display, TargetState.Cancelled, null, TimeSpan.Zero, "not started: the deployment was stopped");
        return Conclude(Done(), cancellationToken.IsCancellationRequested);
    }

    /// <summary>
    /// Logs in to every host and checks its key; <see cref="_checkedKeys"/> gets the key each
    /// accepted. The first <paramref name="keep"/> hosts (the first wave) are connected with the
    /// default key exchange and the connection stays open for their scripts: connecting them
    /// again right after would cost each server a second handshake and session (about 150 ms of
    /// its CPU, docs/performance.md). Every other host gets a check connection, closed at once, and
    /// is connected again when its turn comes, pinned to the key its check accepted. Keeping at
    /// most the first wave holds no more connections open than the run phase does.
    /// </summary>
    private async Task<List<(SshHost Host, bool HostKeyRefused)>> ConnectAllAsync(
        int keep, CancellationToken cancellationToken)
    {
        var hosts = settings.Hosts;
        var failures = new List<(SshHost Host, bool HostKeyRefused)>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(hosts.Count, ConnectParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (i, token) =>
        {
            var started = context.Time.GetTimestamp();
            try
            {
                if (i < keep)
                {
                    var connection = await SshConnection.ConnectAsync(hosts[i], settings, _jump, m => context.Log.Warning(m, "Unverified host key"), token);
                    _checkedKeys[i] = connection.HostKey;
                    _connections[i] = connection;
                    return;
                }

                var check = await SshConnection.CheckAsync(hosts[i], settings, _jump, m => context.Log.Warning(m, "Unverified host key"), token);
                _checkedKeys[i] = check.HostKey;
                await CloseAsync(check);
            }
            catch (HostConnectException e)
            {
                context.Log.Error(e.Message, e.HostKeyRefused ? $"Host key refused: {hosts[i].Display}" : $"Host {hosts[i].Display} unreachable");
                lock (failures) failures.Add((hosts[i], e.HostKeyRefused));
                Finish(i, new TargetResult(hosts[i].Display, e.HostKeyRefused ? TargetState.Refused : TargetState.Error, null, context.Time.GetElapsedTime(started), OneLine(e.Message, hosts[i])));
            }
        });
        return failures.OrderBy(f => hosts.ToList().IndexOf(f.Host)).ToList();
    }

    /// <summary>
    /// The run phase: at most <c>max-parallel</c> hosts at once, in the order given, each on the
    /// connection its check kept (the first wave) or on one opened when its turn comes, pinned to
    /// the key its check accepted; closed when the host is done.
    /// </summary>
    private async Task RunEverywhereAsync(string script, CancellationToken cancellationToken)
    {
        var (commandText, leftOut) = RemoteCommand.BuildWithin(script, plan.DeploymentVariables);
        if (leftOut.Count > 0) context.Log.Warning(RemoteCommand.LeftOutWarning("the script", leftOut));
        using var slots = new SemaphoreSlim(settings.MaxParallel);
        var running = new List<Task>();
        string? firstFailure = null;
        for (var i = 0; i < _connections.Length; i++)
        {
            if (_checkedKeys[i] is not { } checkedKey) continue;
            var host = settings.Hosts[i];
            try
            {
                await slots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (settings.FailFast && Volatile.Read(ref firstFailure) is { } failed)
            {
                slots.Release();
                if (Interlocked.Exchange(ref _connections[i], null) is { } unused) await CloseAsync(unused);
                Finish(i, new TargetResult(host.Display, TargetState.Skipped, null, TimeSpan.Zero, $"not started: {failed} failed (fail-fast)"));
                continue;
            }

            var index = i;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    var result = await RunOnKeptOrNewConnectionAsync(index, host, checkedKey, commandText, cancellationToken);
                    if (result is null) return; // stopped before it started: reported as not started
                    if (result.State is TargetState.Failed or TargetState.Error or TargetState.Refused) Interlocked.CompareExchange(ref firstFailure, host.Display, null);
                    Finish(index, result);
                }
                finally
                {
                    // The slot is free once the connection is closed, so at most max-parallel are open.
                    if (Interlocked.Exchange(ref _connections[index], null) is { } open) await CloseAsync(open);
                    slots.Release();
                }
            }, CancellationToken.None));
        }

        await Task.WhenAll(running);
    }

    /// <summary>
    /// Runs on the connection the check kept, while it is up; otherwise (a later wave, or a kept
    /// connection the server or a firewall closed while the rest of the fleet was checked) on a new
    /// one that must present exactly the key the check accepted.
    /// </summary>
    private async Task<TargetResult?> RunOnKeptOrNewConnectionAsync(
        int index, SshHost host, OfferedHostKey checkedKey, string commandText, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return null;
        if (_connections[index] is { IsConnected: true } kept) return await RunOnHostAsync(kept, commandText, cancellationToken);
        if (Interlocked.Exchange(ref _connections[index], null) is { } dropped)
        {
            await CloseAsync(dropped);
            context.Log.Info($"{host.Display}: the connection from the check was closed while the other hosts were checked; connecting again");
        }

        var started = context.Time.GetTimestamp();
        try
        {
            _connections[index] = await SshConnection.ConnectPinnedAsync(host, settings, _jump, checkedKey, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (HostConnectException e)
        {
            context.Log.Error(e.Message, e.HostKeyRefused ? $"Host key refused: {host.Display}" : $"Host {host.Display} unreachable");
            return new TargetResult(host.Display, e.HostKeyRefused ? TargetState.Refused : TargetState.Error, null, context.Time.GetElapsedTime(started), OneLine(e.Message, host));
        }

        return await RunOnHostAsync(_connections[index]!, commandText, cancellationToken);
    }

    private async Task<TargetResult> RunOnHostAsync(SshConnection connection, string commandText, CancellationToken cancellationToken)
    {
        var host = connection.Host.Display;
        context.Log.Info($"{host}: running the script");
        var output = new RemoteOutput(context.Log, host);
        RemoteOutcome outcome;
        try
        {
            outcome = await output.RunAsync(connection, commandText, context.Time, cancellationToken);
        }
        catch (HostConnectException e)
        {
            context.Log.Error(e.Message, $"Host {host} failed");
            return new TargetResult(host, TargetState.Error, null, TimeSpan.Zero, OneLine(e.Message, connection.Host));
        }

        if (outcome.Cancelled) return new TargetResult(host, TargetState.Cancelled, null, outcome.Duration, "stopped while running");
        if (outcome.ExitCode == 0) return new TargetResult(host, TargetState.Ok, 0, outcome.Duration);

        var reason = outcome.ExitCode is { } code ? $"exit code {code}"
            : outcome.Signal is { } signal ? $"killed by signal {signal}"
            : "ended without an exit status";
        // The annotation carries the host's last lines, so a failure in a parallel run reads as a
        // unit. Error() escapes the text, so it stays inside this one annotation.
        context.Log.Error($"{host}: the script failed ({reason}).{ExitCodeHint.For(outcome.ExitCode)}{output.LastLines}", $"Host {host} failed");
        return new TargetResult(host, TargetState.Failed, outcome.ExitCode, outcome.Duration, reason);
    }

    private void Finish(int index, TargetResult result)
    {
        _results[index] = result;
        var done = Interlocked.Increment(ref _finished);
        var detail = result.State switch
        {
            TargetState.Ok => $"ok in {DurationText.Format(result.Duration)}",
            TargetState.Failed => $"failed ({result.Reason}) in {DurationText.Format(result.Duration)}",
            _ => result.Reason is null ? result.Result : $"{result.Result}: {ShortReason(result.Reason)}",
        };
        context.Log.Info($"[{done}/{_results.Length}] {result.Target} {detail}");
    }

    private void SkipRemaining(string reason)
    {
        for (var i = 0; i < _results.Length; i++)
        {
            if (_results[i] is null) Finish(i, new TargetResult(settings.Hosts[i].Display, TargetState.Skipped, null, TimeSpan.Zero, reason));
        }
    }

    private async Task CloseAllAsync(SshJumpChain? chain)
    {
        // Closing a connection sends a message and waits a little: close them all at once, and
        // the jump host last (the others are tunnelled through it).
        // A server that stopped answering must not hold up the final status: bounded.
        var closing = Task.WhenAll(_connections.Where(c => c is not null).Select(c => OnOwnThread(c!.Dispose)));
        await Task.WhenAny(closing, Task.Delay(CloseBudget));
        if (chain is not null) await Task.WhenAny(OnOwnThread(chain.Dispose), Task.Delay(CloseBudget));
    }

    /// <summary>Closes one connection, bounded like <see cref="CloseAllAsync"/>.</summary>
    private static async Task CloseAsync(SshConnection connection) =>
        await Task.WhenAny(OnOwnThread(connection.Dispose), Task.Delay(CloseBudget));

    /// <summary>Closing blocks on the network: keep it off the few thread-pool threads.</summary>
    private static Task OnOwnThread(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private HandlerResult Conclude(TargetResult[] results, bool stopped)
    {
        var total = results.Length;
        var errored = results.Where(r => r.State is TargetState.Error or TargetState.Refused).ToList();
        var failed = results.Where(r => r.State == TargetState.Failed).ToList();
        if (stopped)
            return HandlerResult.Errored("The deployment was stopped.", results);
        if (errored.Count > 0)
            return HandlerResult.Errored($"{errored.Count} of {SshHandler.Count(total, "host")} could not be used: {Names(errored)}" + (failed.Count > 0 ? $"; {failed.Count} failed: {Names(failed)}." : "."), results);
        if (failed.Count > 0)
            return HandlerResult.Failed($"{failed.Count} of {SshHandler.Count(total, "host")} failed: {Names(failed)}.", results);
        var slowest = results.Max(r => r.Duration);
        return HandlerResult.Succeeded(total == 1
            ? $"The script succeeded on the host in {DurationText.Format(slowest)}."
            : $"The script succeeded on all {total} hosts (slowest {DurationText.Format(slowest)}).", results);
    }

    private TargetResult[] Done() => _results.Select(r => r!).ToArray();

    private static string Names(IEnumerable<TargetResult> results) =>
        Shorten(results.Select(r => r.Reason is null ? r.Target : $"{r.Target} ({ShortReason(r.Reason)})").ToList());

    private static string Names(IEnumerable<SshHost> hosts) => Shorten(hosts.Select(h => h.Display).ToList());

    private static string Shorten(IReadOnlyList<string> items) =>
        items.Count <= 4 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(3))} and {items.Count - 3} more";

    private static string ShortReason(string reason)
    {
        var firstSentence = reason.Split([". ", ": "], 2, StringSplitOptions.None)[0].TrimEnd('.');
        return firstSentence.Length <= 60 ? firstSentence : firstSentence[..57] + "...";
    }

    /// <summary>A result's reason without the host name (the row already names it).</summary>
    private static string OneLine(string message, SshHost host) =>
        message.StartsWith(host.Display + ": ", StringComparison.Ordinal) ? message[(host.Display.Length + 2)..] : message;
}
