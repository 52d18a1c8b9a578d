using System.Globalization;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// Runs the deployment's script on every server in <c>hosts</c> over SSH, in two phases.
/// The check phase logs in to every server and checks every host key, so a refused key or login
/// means nothing runs anywhere: the first wave (the first <c>max-parallel</c> hosts) on the
/// connections their scripts then run on (default key exchange), every later host on a
/// connection that carries no data (the cheap curve25519 key exchange, closed at once). The run
/// phase then runs at most <c>max-parallel</c> hosts at a time, in the order given; a later host
/// is connected again with the default key exchange and must present exactly the key the check
/// accepted, and every connection is closed when its host is done. Releases keep one connection
/// per server open for both of their phases (<see cref="Releases.ReleaseRun"/>). Each run is a
/// <see cref="FleetRun"/>: the handler holds the settings, the run holds what it learns.
/// </summary>
internal sealed partial class SshHandler(SshSettings settings, HandlerContext context) : IDeploymentHandler
{
    /// <summary>With releases, uploading and switching is work of its own, a script or not.</summary>
    public bool HasNothingToRun(DeploymentPlan plan) => plan.Script is null && (settings.Releases is null || plan.IsRemoval);

    /// <summary>A release rollback switches back to an earlier release without running the script.</summary>
    public bool RunsScript(DeploymentPlan plan) => plan.Script is not null && !(settings.Releases is not null && plan.IsRollback);

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken) =>
        plan.Script is null && (settings.Releases is null || plan.IsRemoval)
            ? HandlerResult.Succeeded(plan.IsRemoval ? "No remove-script: nothing to tear down." : "No script to run.")
            : await new FleetRun(settings, context, plan).RunAsync(cancellationToken);

    internal static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
