using System.Globalization;
using DeployRunner.Planning;
using Renci.SshNet.Common;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// One run at a time per deploy path and server (<see cref="ReleasePrograms.Lock"/>): taken
/// before anything is changed, given back at the end of the run whatever the phase. The owner
/// names the deployment and a token only this run knows (a re-run of the same deployment is
/// another run), so a run never removes a lock it does not hold.
/// </summary>
internal sealed class ReleaseLocks(HandlerContext context, DeploymentPlan plan, string deployPath)
{
    private readonly string _owner = $"deployment {plan.Deployment.Id.ToString(CultureInfo.InvariantCulture)} ({ReleaseRun.ReleaseNameOf(plan)}), run {Guid.NewGuid():N}";

    /// <summary>Takes the server's lock; null when taken, else why not (another run holds it, or the program failed).</summary>
    public async Task<string?> TakeAsync(ServerRelease server, CancellationToken cancellationToken)
    {
        // Stale once this run can no longer be alive: its timeout, the stop budget, a margin.
        var seconds = (long)Math.Ceiling((plan.Timeout + TimeSpan.FromMinutes(1)).TotalSeconds);
        var locked = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Lock, [server.History!.Root, _owner, seconds.ToString(CultureInfo.InvariantCulture)], context.Time, cancellationToken);
        if (!locked.Succeeded) return $"not started: {locked.Message}";
        server.Locked = true;
        foreach (var stale in locked.Tagged("stale"))
            new ReleaseEvent.StaleLockTaken(server.Display, stale).WriteTo(context.Log);
        return null;
    }

    /// <summary>Each server's lock goes at the end of the run; after a stop within the stop budget's share (else it goes stale on its own).</summary>
    public async Task GiveBackAsync(IEnumerable<ServerRelease> servers, bool stopped)
    {
        using var budget = new CancellationTokenSource(stopped ? ReleaseStopBudget.From(context.Shutdown).Unlock : TimeSpan.FromSeconds(5), context.Time);
        await Task.WhenAll(servers.Where(s => s.Locked).Select(async server =>
        {
            try
            {
                var unlocked = await RemoteShell.RunAsync(server.Connection, ReleasePrograms.Unlock, [server.History!.Root, _owner], context.Time, budget.Token);
                if (unlocked.Succeeded) server.Locked = false;
            }
            catch (Exception e) when (e is HostConnectException or SshException or ObjectDisposedException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // Left for its stale time; the next run says whose it was.
            }

            if (server.Locked) new ReleaseEvent.LockLeft(server.Display, deployPath).WriteTo(context.Log);
        }));
    }
}
