using DeployRunner.Planning;
using static DeployRunner.Handlers.Ssh.Releases.ReleaseSummaryText;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>The <c>rollback</c> task: every server back to its previous release, or to the release of a given deployment.</summary>
internal sealed partial class ReleaseRun
{
    public async Task<HandlerResult> RollbackAsync(IReadOnlyList<SshConnection> connections, CancellationToken cancellationToken)
    {
        var servers = connections.Select(c => new ServerRelease(c)).ToList();
        try
        {
            return await RollbackAsync(servers, cancellationToken);
        }
        finally
        {
            await _locks.GiveBackAsync(servers, cancellationToken.IsCancellationRequested);
        }
    }

    private async Task<HandlerResult> RollbackAsync(List<ServerRelease> servers, CancellationToken cancellationToken)
    {
        var wanted = RollbackRequest.Of(plan);
        var targets = new string?[servers.Count];

        // First find the target everywhere; switch nothing unless every server has one.
        var resolved = await ForEachAsync(servers, false, async (server, token) =>
        {
            var inspected = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Inspect, [releases.DeployPath, ""], context.Time, token);
            if (!inspected.Succeeded) return Fail(server, TargetState.Error, $"could not read {releases.DeployPath}: {inspected.Message}");
            var history = ReleaseHistory.From(inspected);
            server.History = history;
            if (await _locks.TakeAsync(server, token) is { } notLocked) return Fail(server, TargetState.Error, notLocked);
            var target = wanted is null ? history.Previous() : history.Find(wanted);
            if (target is null)
                return Fail(server, TargetState.Error, wanted is null ? "no previous release to roll back to" : $"no release of deployment {wanted} on this server");
            targets[servers.IndexOf(server)] = target;
            return true;
        }, cancellationToken);
        var label = Distinct(targets);
        if (!resolved)
            return Rollback(servers, targets, HandlerOutcome.Errored, $"Nothing was rolled back: {Names(servers.Where(s => s.Failure is not null))}.");

        var switchedAll = await ForEachAsync(servers, false, async (server, token) =>
        {
            var target = targets[servers.IndexOf(server)]!;
            if (target == server.Previous)
            {
                Emit(new ReleaseEvent.AlreadyOn(server.Display, target));
                server.Switched();
                return Back(await HookAsync(server, target, token) && await HealthAsync(server, token));
            }

            var ok = await GoLiveAsync(server, target, token);
            if (server.IsSwitched && server.Previous is not null) await MarkAsync(server, "rolled-back", server.Previous);
            return Back(ok);

            // A server that ends on its target reports `rolled back` in `results`, as the README's table says.
            bool Back(bool done)
            {
                if (done) server.RolledBack(target);
                return done;
            }
        }, cancellationToken);

        return switchedAll
            ? Rollback(servers, targets, HandlerOutcome.Succeeded, $"Rolled back to {label} on {Count(servers.Count)}.", $"Rolled back to {label}")
            : Rollback(servers, targets, HandlerOutcome.Failed, $"Rollback to {label} failed on {Names(servers.Where(s => s.Failure is not null))}.");
    }

    private static HandlerResult Rollback(List<ServerRelease> servers, string?[] targets, HandlerOutcome outcome, string reason, string? description = null) =>
        new(outcome, reason, servers.Select((s, i) => s.ToResult(targets[i] ?? "?")).ToArray()) { Description = description };

    private static string Distinct(string?[] targets)
    {
        var names = targets.Where(t => t is not null).Distinct().ToList();
        return names.Count == 1 ? names[0]! : "the previous releases";
    }
}
