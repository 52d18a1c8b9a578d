using DeployRunner.Planning;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// A release run's checks that need the plan but no server, made while preparing (before
/// <c>in_progress</c>): what <c>upload</c> names exists inside the working directory, a
/// <c>rollback</c> names a release that can exist, and the health-check URL is whole. Without
/// them each would be found after the status, or on the servers, or after the switch.
/// </summary>
internal static class ReleasePlanCheck
{
    public static void Check(ReleaseSettings releases, DeploymentPlan plan, IReadOnlyList<SshHost> hosts, CancellationToken cancellationToken)
    {
        if (plan.IsRemoval) return;
        if (plan.IsRollback)
        {
            RollbackRequest.Of(plan);
        }
        else
        {
            UploadSet.Match(releases.Upload, plan.WorkingDirectory, cancellationToken);
        }

        if (releases.HealthCheck is not { } check) return;
        check.CheckFor(plan.EnvironmentUrl);
        // {host} differs per server (an IPv6 address, a name with odd characters): every URL the
        // run would poll is made and checked now, not after that server switched.
        foreach (var host in hosts)
        {
            var url = check.UrlFor(host.Host, plan.EnvironmentUrl);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
                throw new ConfigurationException($"Input `health-check-url` '{check.UrlTemplate}' becomes '{url}' for server {host.Display}, which is not an http or https URL: write the URL out for that server's name, or use a host name in `hosts`.", setting: "health-check-url");
        }
    }
}
