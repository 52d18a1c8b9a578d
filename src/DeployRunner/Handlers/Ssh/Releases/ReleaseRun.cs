using DeployRunner.ChildProcesses;
using DeployRunner.Health;
using DeployRunner.Planning;
using Renci.SshNet.Common;
using static DeployRunner.Handlers.Ssh.Releases.ReleaseSummaryText;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// A release run across the fleet, in two phases. Phase one, on every server: upload into a new
/// release and run the script inside it, <c>current</c> untouched. Only when phase one
/// succeeded everywhere, phase two, on every server: switch <c>current</c> atomically, run
/// <c>after-switch</c>, wait for the health check. If any of phase two fails and
/// <c>auto-rollback</c> is on, every server already switched goes back to its previous release
/// and runs the hook again. The <c>rollback</c> task is phase two alone, to an older release.
/// </summary>
internal sealed partial class ReleaseRun(SshSettings settings, ReleaseSettings releases, HandlerContext context, DeploymentPlan plan)
{
    private readonly HealthProbe _probe = new(HealthHttp, context.Time);

    private readonly ReleaseStopBudget _stopBudget = ReleaseStopBudget.From(context.Shutdown);

    private readonly ReleaseLocks _locks = new(context, plan, releases.DeployPath);

    private static readonly HttpClient HealthHttp = HealthProbe.CreateClient();

    /// <summary><c>DEPLOYMENT_ID-SHORTSHA</c>: unique per deployment, the same on every server, and findable by deployment id.</summary>
    public static string ReleaseNameOf(DeploymentPlan plan)
    {
        var sha = new string(plan.ShortSha.Where(char.IsAsciiLetterOrDigit).ToArray());
        return $"{plan.Deployment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{(sha.Length > 0 ? sha : "nosha")}";
    }

    private string Name => ReleaseNameOf(plan);

    public async Task<HandlerResult> DeployAsync(IReadOnlyList<SshConnection> connections, CancellationToken cancellationToken)
    {
        var upload = UploadSet.Resolve(releases.Upload, plan.WorkingDirectory, cancellationToken);
        var servers = connections.Select(c => new ServerRelease(c)).ToList();
        try
        {
            return await DeployAsync(servers, upload, cancellationToken);
        }
        finally
        {
            await _locks.GiveBackAsync(servers, cancellationToken.IsCancellationRequested);
        }
    }

    private async Task<HandlerResult> DeployAsync(List<ServerRelease> servers, UploadSet upload, CancellationToken cancellationToken)
    {
        Emit(new ReleaseEvent.PhaseOneStarted(Name, upload.Files.Count, upload.TotalBytes, releases.DeployPath, servers.Count, plan.Script is not null));

        var phaseOne = await ForEachAsync(servers, settings.FailFast, (server, token) => PhaseOneAsync(server, upload, token), cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            await AbortPartialsAsync(servers);
            return Result(servers, HandlerOutcome.Errored, "The deployment was stopped during phase one: nothing was switched; partial releases were removed.", stop: "stopped in phase one: nothing was switched");
        }

        if (!phaseOne)
        {
            var failed = servers.Where(s => s.Failure is not null).ToList();
            var kind = failed.Any(s => s.Failure!.Kind == TargetState.Error) ? HandlerOutcome.Errored : HandlerOutcome.Failed;
            return Result(servers, kind, $"Phase one failed on {Names(failed)}: nothing was switched, every server stays on its current release.");
        }

        Emit(new ReleaseEvent.PhaseOneSucceeded(Name));
        var phaseTwo = await ForEachAsync(servers, false, (server, token) => GoLiveAsync(server, Name, token), cancellationToken);
        if (phaseTwo)
        {
            await PruneAsync(servers, cancellationToken);
            return Result(servers, HandlerOutcome.Succeeded, $"Release {Name} is live on {Count(servers.Count)}" + (releases.HealthCheck is null ? "." : " and healthy."));
        }

        if (cancellationToken.IsCancellationRequested && releases.AutoRollback)
            return await RollBackAfterStopAsync(servers);

        var broken = servers.Where(s => s.Failure is not null).ToList();
        var why = $"{Name} failed on {Names(broken)}";
        if (!releases.AutoRollback || cancellationToken.IsCancellationRequested)
            return Result(servers, HandlerOutcome.Failed, $"{why}; no rollback ({(cancellationToken.IsCancellationRequested ? "stopped" : "auto-rollback is off")}): {Count(servers.Count(s => s.IsSwitched))} now on {Name}.", stop: $"stopped in phase two, no rollback (auto-rollback is off): {Count(servers.Count(s => s.IsSwitched))} now on {Name}");

        var (rolledBack, rollbackErrors) = await RollBackAsync(servers, cancellationToken);
        if (rollbackErrors.Count > 0)
            return Result(servers, HandlerOutcome.Errored, $"{why}; the rollback failed too on {string.Join(", ", rollbackErrors)}.");
        return Result(servers, HandlerOutcome.Failed, $"{why}; rolled back {Count(rolledBack.Count)} to {Targets(rolledBack)}.");
    }

    private async Task<bool> PhaseOneAsync(ServerRelease server, UploadSet upload, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        try
        {
            var inspected = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Inspect, [releases.DeployPath, Name], context.Time, cancellationToken);
            if (!inspected.Succeeded) return Fail(server, TargetState.Error, $"could not read {releases.DeployPath}: {inspected.Message}");
            var history = ReleaseHistory.From(inspected);
            server.History = history;
            if (await _locks.TakeAsync(server, cancellationToken) is { } notLocked) return Fail(server, TargetState.Error, notLocked);
            if (history.Current == Name) return Fail(server, TargetState.Error, $"release {Name} is already current; create a new deployment to deploy again");

            var stats = await new ReleaseUploader(settings, context.Time).UploadAsync(server.Connection, history, Name, upload, ReleaseManifest.Parse(inspected.Tagged("manifest"), inspected.Tagged("symlink")), inspected.Tagged("tool").Contains("tar"), cancellationToken);
            server.Uploaded(stats);
            Emit(new ReleaseEvent.Uploaded(server.Display, stats));
            if (plan.Script is null) return true;

            var script = $"cd -- \"$DEPLOY_RELEASE_PATH\"\n{plan.Script}";
            var (exit, reason, output) = await RunScriptAsync(server, script, ReleaseVariables(server, Name, server.Previous), "the script", cancellationToken);
            if (reason is null) return true;
            await MarkAsync(server, "failed", Name);
            return Fail(server, TargetState.Failed, $"script {reason}", output, exit);
        }
        catch (Exception e) when (e is ReleaseStepException or HostConnectException or SshException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return Fail(server, TargetState.Error, e.Message);
        }
        finally
        {
            server.Duration = context.Time.GetElapsedTime(started);
        }
    }

    /// <summary>Switch, hook, health check on one server.</summary>
    private async Task<bool> GoLiveAsync(ServerRelease server, string release, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var answered = false;
        try
        {
            server.SwitchSent();
            var switched = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Switch, [server.History!.Root, release], context.Time, cancellationToken);
            answered = true;
            if (!switched.Succeeded) return Fail(server, TargetState.Error, $"switch failed: {switched.Message}");
            server.Switched();
            Emit(new ReleaseEvent.SwitchedTo(server.Display, release));
            if (!await HookAsync(server, release, cancellationToken)) return false;
            return await HealthAsync(server, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong (the connection, or a fault of the runner's own), this server
            // counts as failed so the fleet is rolled back; a switch that got no answer may have
            // happened, and switching back to the previous release again is harmless.
            if (!answered) server.AssumeSwitchedIfUnanswered();
            if (cancellationToken.IsCancellationRequested) return false;
            return Fail(server, TargetState.Error, e is HostConnectException or SshException or IOException ? e.Message : Unexpected(e));
        }
        finally
        {
            server.Duration += context.Time.GetElapsedTime(started);
        }
    }

    private async Task<bool> HookAsync(ServerRelease server, string release, CancellationToken cancellationToken)
    {
        if (releases.AfterSwitch is null) return true;
        var script = $"cd -- \"$DEPLOY_PATH/current\"\n{releases.AfterSwitch}";
        var (exit, reason, output) = await RunScriptAsync(server, script, ReleaseVariables(server, release, server.Previous), "after-switch", cancellationToken);
        if (reason is null) return true;
        return Fail(server, TargetState.Failed, $"after-switch {reason}", output, exit);
    }

    private async Task<bool> HealthAsync(ServerRelease server, CancellationToken cancellationToken)
    {
        if (releases.HealthCheck is not { } check) return true;
        var url = check.UrlFor(server.Connection.Host.Host, plan.EnvironmentUrl);
        Emit(new ReleaseEvent.WaitingForHealth(server.Display, url, check.Deadline));
        var outcome = await _probe.WaitHealthyAsync(url, check.Deadline, cancellationToken);
        server.Healthy = outcome.Healthy ? $"healthy ({outcome.Detail})" : $"unhealthy ({outcome.Detail})";
        if (outcome.Healthy) return true;
        Emit(new ReleaseEvent.Unhealthy(server.Display, url, outcome.Detail));
        return Fail(server, TargetState.Failed, "health check failed");
    }

    /// <summary>Every server this run switched goes back to what was current before, and runs the hook again.</summary>
    private async Task<(List<ServerRelease> RolledBack, List<string> Errors)> RollBackAsync(List<ServerRelease> servers, CancellationToken cancellationToken, bool afterStop = false)
    {
        var switched = servers.Where(s => s.IsSwitched).ToList();
        var errors = new List<string>();
        Emit(new ReleaseEvent.RollingBack(switched.Count));
        await Parallel.ForEachAsync(switched, cancellationToken, async (server, token) =>
        {
            try
            {
                await RollBackAsync(server, errors, afterStop, token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                lock (errors) errors.Add($"{server.Display} ({Unexpected(e)})");
            }
        });
        return (switched.Where(s => s.Phase == ReleasePhase.RolledBack).ToList(), errors);
    }

    /// <summary>One server back to what was current before this run (and its hook again, unless after a stop); what goes wrong is added to <paramref name="errors"/>.</summary>
    private async Task RollBackAsync(ServerRelease server, List<string> errors, bool afterStop, CancellationToken token)
    {
        if (server.Previous is not { } previous)
        {
            lock (errors) errors.Add($"{server.Display} (no previous release)");
            return;
        }

        var back = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Switch, [server.History!.Root, previous], context.Time, token);
        if (!back.Succeeded)
        {
            lock (errors) errors.Add($"{server.Display} ({back.Message})");
            return;
        }

        server.RolledBack(previous);
        // After a stop the note in the release log shares the bounded budget too.
        await MarkAsync(server, "rolled-back", Name, afterStop ? token : CancellationToken.None);
        Emit(new ReleaseEvent.RolledBack(server.Display, previous));
        if (!afterStop && releases.AfterSwitch is not null)
        {
            // The hook sees the release it is back on as live and the one it was rolled back from as previous.
            var (_, reason, _) = await RunScriptAsync(server, $"cd -- \"$DEPLOY_PATH/current\"\n{releases.AfterSwitch}", ReleaseVariables(server, previous, Name), "after-switch (rollback)", token);
            if (reason is not null) lock (errors) errors.Add($"{server.Display} (after-switch after the rollback {reason})");
        }
    }

    /// <summary>
    /// Phase two was stopped (SIGINT, timeout) after some servers switched: with auto-rollback on,
    /// they go back to their previous release rather than leaving the fleet mixed.
    /// </summary>
    private async Task<HandlerResult> RollBackAfterStopAsync(List<ServerRelease> servers)
    {
        // A server whose switch was under way when the stop came may have switched without us
        // hearing back: switching it to its previous release again is harmless, so it goes back too.
        foreach (var server in servers) server.AssumeSwitchedIfUnanswered();

        // The rollback gets its share of the handler's stop budget (ReleaseStopBudget), on a fresh
        // token since the run's own is cancelled. after-switch is NOT run again: it is what was running (and was
        // just stopped) on these servers, a restart routinely takes longer than what is left of the
        // budget, and a hook killed half-way leaves the service in a worse state than not running
        // it; the summary says the hook did not run, so the user can run it or a `rollback` task.
        using var budget = new CancellationTokenSource(_stopBudget.Rollback, context.Time);
        List<string> errors;
        try
        {
            (_, errors) = await RollBackAsync(servers, budget.Token, afterStop: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            errors = [$"it did not finish within {_stopBudget.Rollback.TotalSeconds:0.#} s ({e.Message})"];
        }

        foreach (var server in servers.Where(s => s.Phase != ReleasePhase.RolledBack || s.Failure is not null)) server.Stopped();

        var rolledBack = servers.Where(s => s.Phase == ReleasePhase.RolledBack).ToList();
        var stillNew = servers.Where(s => s.IsSwitched).ToList();
        // The status keeps the short form (140 characters with the runner's "Cancelled; "): the
        // servers that may still be on the new release come first, they are what a user must act on.
        if (errors.Count > 0 || stillNew.Count > 0)
        {
            return Result(servers, HandlerOutcome.Errored, $"The deployment was stopped during phase two and the rollback could not finish: {Count(stillNew.Count)} may still be on {Name}"
                                                           + (errors.Count > 0 ? $" ({string.Join(", ", errors)})" : "") + (rolledBack.Count > 0 ? $"; rolled back {Count(rolledBack.Count)} to {Targets(rolledBack)}." : "."), stop: $"stopped during phase two and the rollback could not finish: {Count(stillNew.Count)} may still be on {Name}" + (rolledBack.Count > 0 ? $", {rolledBack.Count} rolled back" : ""));
        }

        if (rolledBack.Count == 0)
            return Result(servers, HandlerOutcome.Errored, "The deployment was stopped during phase two before any server switched: every server stays on its current release.", stop: "stopped during phase two before any server switched");
        return Result(servers, HandlerOutcome.Errored, $"The deployment was stopped during phase two: rolled back {Count(rolledBack.Count)} to {Targets(rolledBack)} (after-switch not run again).", stop: $"stopped during phase two: rolled back {Count(rolledBack.Count)} to {ShortTargets(rolledBack)}");
    }

    private async Task PruneAsync(List<ServerRelease> servers, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(servers, cancellationToken, async (server, token) =>
        {
            var history = server.History! with { Current = Name, Folders = [.. server.History!.Folders, Name], Log = [.. server.History!.Log, ("live", Name)] };
            var doomed = history.ToPrune(releases.KeepReleases, server.Previous);
            if (doomed.Count == 0) return;
            try
            {
                var pruned = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Prune, [history.Root, .. doomed], context.Time, token);
                Emit(pruned.Succeeded ? new ReleaseEvent.Pruned(server.Display, doomed, releases.KeepReleases) : new ReleaseEvent.PruneFailed(server.Display, pruned.Message));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The release is live and healthy: a failed clean-up is a warning, not a failed deployment.
                Emit(new ReleaseEvent.PruneFailed(server.Display, e.Message));
            }
        });
    }

    private async Task AbortPartialsAsync(List<ServerRelease> servers)
    {
        // Its share of the handler's stop budget (ReleaseStopBudget), all servers at once.
        using var budget = new CancellationTokenSource(_stopBudget.AbortPartials, context.Time);
        await Task.WhenAll(servers.Where(s => s.Locked && s.Phase == ReleasePhase.Preparing).Select(async s =>
        {
            try
            {
                var removed = await RemoteShell.RunAsync(s.Connection, ReleasePrograms.Abort, [s.History!.Root, Name], context.Time, budget.Token);
                s.Failure = new ServerFailure(TargetState.Cancelled, removed.Succeeded
                    ? "stopped during the upload; partial release removed"
                    : $"stopped during the upload; partial release left as releases/{ReleaseHistory.PartialPrefix}{Name} (removed by the next successful deploy): {removed.Message}");
            }
            catch (Exception e) when (e is HostConnectException or SshException or OperationCanceledException or ObjectDisposedException)
            {
                s.Failure = new ServerFailure(TargetState.Cancelled, $"stopped during the upload; partial release left as releases/{ReleaseHistory.PartialPrefix}{Name} (removed by the next successful deploy): {(e is OperationCanceledException ? "the clean-up did not finish within the stop budget" : e.Message)}");
            }
        }));
        foreach (var server in servers) server.Stopped();
    }

    private async Task MarkAsync(ServerRelease server, string @event, string release, CancellationToken cancellationToken = default)
    {
        try
        {
            await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Mark, [server.History!.Root, @event, release], context.Time, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The note is bookkeeping: whatever keeps it from being written (a fault of the
            // runner's own included) must not turn a rollback that happened into one reported failed.
            Emit(new ReleaseEvent.NoteFailed(server.Display, @event, release, e.Message));
        }
    }

    /// <summary>The server fails with <paramref name="reason"/> (its result and the status); <paramref name="output"/>, the last lines it printed, goes only into the log's annotation.</summary>
    private bool Fail(ServerRelease server, TargetState kind, string reason, string output = "", int? exitCode = null)
    {
        if (reason.StartsWith(server.Display + ": ", StringComparison.Ordinal)) reason = reason[(server.Display.Length + 2)..];
        if (reason.StartsWith(server.Connection.Host.Host + ":", StringComparison.Ordinal) && reason.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon) reason = reason[(colon + 2)..];
        server.Failure = new ServerFailure(kind, reason, exitCode ?? server.Failure?.ExitCode);
        Emit(new ReleaseEvent.ServerFailed(server.Display, reason, output));
        return false;
    }

    private IReadOnlyDictionary<string, string> ReleaseVariables(ServerRelease server, string release, string? previous)
    {
        var variables = new Dictionary<string, string>(plan.DeploymentVariables, StringComparer.Ordinal)
        {
            ["DEPLOY_PATH"] = server.History!.Root,
            ["DEPLOY_RELEASE"] = release,
            ["DEPLOY_RELEASE_PATH"] = $"{server.History!.Root}/releases/{release}",
            ["DEPLOY_PREVIOUS_RELEASE"] = previous ?? "",
        };
        return variables;
    }

    /// <summary>Runs a user script on the server; on failure, the reason and the last lines it printed (for the annotation, as the plain ssh mode does).</summary>
    private async Task<(int? ExitCode, string? Reason, string Output)> RunScriptAsync(ServerRelease server, string script, IReadOnlyDictionary<string, string> variables, string what, CancellationToken cancellationToken)
    {
        Emit(new ReleaseEvent.Running(server.Display, what));
        var (command, leftOut) = RemoteCommand.BuildWithin(script, variables);
        if (leftOut.Count > 0) Emit(new ReleaseEvent.VariablesLeftOut(server.Display, what, leftOut));
        var output = new RemoteOutput(context.Log, server.Display);
        var outcome = await output.RunAsync(server.Connection, command, context.Time, cancellationToken);
        if (outcome.Cancelled) return (null, "was stopped", "");
        if (outcome.ExitCode == 0) return (0, null, "");
        return (outcome.ExitCode, outcome.ExitCode is { } code ? $"failed (exit code {code})" : $"failed (signal {outcome.Signal})", ExitCodeHint.For(outcome.ExitCode) + output.LastLines);
    }

    /// <summary>Runs <paramref name="step"/> on every server (<see cref="ServerFanOut"/>); a fault of the runner's own fails its server as such.</summary>
    private Task<bool> ForEachAsync(List<ServerRelease> servers, bool failFast, Func<ServerRelease, CancellationToken, Task<bool>> step, CancellationToken cancellationToken) =>
        ServerFanOut.ForEachAsync(servers, settings.MaxParallel, failFast, step, (server, e) => Fail(server, TargetState.Error, Unexpected(e)), cancellationToken);

    private HandlerResult Result(List<ServerRelease> servers, HandlerOutcome outcome, string reason, string? description = null, string? stop = null) =>
        new(outcome, reason, servers.Select(s => s.ToResult(Name)).ToArray()) { Description = description, StopDescription = stop };

    private void Emit(ReleaseEvent @event) => @event.WriteTo(context.Log);

    /// <summary>A fault of the runner's own, said as such (the type tells a maintainer where to look).</summary>
    private static string Unexpected(Exception e) => $"the runner failed: {e.GetType().Name}: {e.Message}";
}
