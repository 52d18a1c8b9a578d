using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What <c>dry-run</c> says about a release run: the phases, the paths on the servers, the pruning rule. Connects to nothing.</summary>
internal static class ReleaseDryRun
{
    public static IEnumerable<string> Describe(DeploymentPlan plan, ReleaseSettings? releases)
    {
        if (releases is null || plan.IsRemoval) yield break;

        var name = ReleaseRun.ReleaseNameOf(plan);
        var root = releases.DeployPath;
        if (plan.Deployment.Task.Equals("rollback", StringComparison.OrdinalIgnoreCase))
        {
            var wanted = RollbackRequest.Of(plan);
            yield return $"Rollback: on every server, find {(wanted is null ? "the previous good release in" : $"the release of deployment {wanted} in")} {root}/.deploy-runner/releases.log; if every server has one, switch {root}/current to it"
                         + (releases.AfterSwitch is null ? "" : " and run after-switch") + (releases.HealthCheck is null ? "." : $", then check {releases.HealthCheck.UrlTemplate}.");
            yield break;
        }

        var upload = UploadSet.Resolve(releases.Upload, plan.WorkingDirectory, CancellationToken.None);
        yield return $"Phase one, on every server: upload {upload.Files.Count} files ({upload.TotalBytes / 1024.0 / 1024.0:0.0} MB) from {plan.WorkingDirectory} to {root}/releases/{ReleaseHistory.PartialPrefix}{name}, "
                     + $"copying files unchanged since the current release from it on the server; rename it to {root}/releases/{name}" + (plan.Script is null ? "." : " and run the script there.") + " current is not touched.";
        yield return $"Phase two, only if phase one succeeded everywhere: switch {root}/current -> releases/{name} on every server (rename of a new link)"
                     + (releases.AfterSwitch is null ? "" : ", run after-switch")
                     + (releases.HealthCheck is null ? "." : $", check {releases.HealthCheck.UrlTemplate} for up to {releases.HealthCheck.Deadline.TotalSeconds:0} s.");
        yield return releases.AutoRollback
            ? "If the switch, after-switch or the health check fails anywhere: every switched server goes back to its previous release (auto-rollback)."
            : "auto-rollback is off: a failure in phase two leaves the servers where they are.";
        yield return $"After success: prune releases beyond the newest {releases.KeepReleases} good ones on each server, never the current or the previous one; failed and partial releases go.";
    }
}
