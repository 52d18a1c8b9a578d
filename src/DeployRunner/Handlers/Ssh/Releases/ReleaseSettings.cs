using DeployRunner.Health;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// The ssh handler's release inputs. Releases are opt-in: they are used when <c>deploy-path</c>
/// is set; then <c>upload</c> goes into <c>releases/NAME</c> and <c>current</c> is switched.
/// </summary>
internal sealed record ReleaseSettings(
    string DeployPath,
    IReadOnlyList<string> Upload,
    int KeepReleases,
    bool AutoRollback,
    string? AfterSwitch,
    HealthCheckSettings? HealthCheck)
{
    public const int DefaultKeepReleases = 5;

    /// <summary>Null when <c>deploy-path</c> is not set (the plain script-over-ssh mode).</summary>
    public static ReleaseSettings? From(InputSet inputs)
    {
        var deployPath = inputs.Get("deploy-path");
        if (deployPath is null)
        {
            foreach (var name in new[] { "upload", "after-switch" })
            {
                if (inputs.Get(name) is not null)
                    throw new ConfigurationException($"Input `{name}` needs `deploy-path`: set `deploy-path` to the folder on the servers that holds `releases/` and `current` (for example /srv/app).", setting: name);
            }

            return null;
        }

        if (deployPath.Any(char.IsControl))
            throw new ConfigurationException("Input `deploy-path` must be one line.", setting: "deploy-path");
        // The path reaches the servers as an argument, never through a shell that would expand it:
        // `~/app` would make a folder named `~`, and `/./` would be / itself.
        if (deployPath.StartsWith('~'))
            throw new ConfigurationException($"Input `deploy-path` '{deployPath}' starts with ~, which is not expanded on the servers: write the path relative to the login user's home without ~/ (for example app), or absolute (for example /srv/app).", setting: "deploy-path");
        if (deployPath.TrimEnd('/').Length == 0 || deployPath.Split('/').Any(part => part is "." or ".."))
            throw new ConfigurationException($"Input `deploy-path` must name a folder below / without `.` or `..` parts, not '{deployPath}' (for example /srv/app, or app for a folder in the login user's home).", setting: "deploy-path");

        var keep = inputs.GetPositiveInt("keep-releases", DefaultKeepReleases);
        if (keep < 2)
            throw new ConfigurationException("Input `keep-releases` must be at least 2: the current release and the one a rollback goes back to are always kept.", setting: "keep-releases");

        return new ReleaseSettings(
            deployPath.TrimEnd('/'),
            inputs.GetList("upload"),
            keep,
            inputs.GetBool("auto-rollback", true),
            inputs.GetRaw("after-switch"),
            HealthCheckSettings.From(inputs));
    }
}
