namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>How a release run's result names its servers: short enough for a status description.</summary>
internal static class ReleaseSummaryText
{
    /// <summary>The failed servers with their reasons; past four, the first three and how many more.</summary>
    public static string Names(IEnumerable<ServerRelease> servers)
    {
        var names = servers.Select(s => $"{s.Display} ({s.Failure?.Reason})").ToList();
        return names.Count <= 4 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))} and {names.Count - 3} more";
    }

    /// <summary>What the servers were rolled back to: one release, or each server's.</summary>
    public static string Targets(IReadOnlyList<ServerRelease> servers)
    {
        var targets = servers.Select(s => s.RolledBackTo).Distinct().ToList();
        return targets.Count == 1 ? $"release {targets[0]}" : "their previous releases (" + string.Join(", ", servers.Select(s => $"{s.Display}: {s.RolledBackTo}")) + ")";
    }

    /// <summary><see cref="Targets"/> without the per-server list, for the status after a stop.</summary>
    public static string ShortTargets(IReadOnlyList<ServerRelease> servers)
    {
        var targets = servers.Select(s => s.RolledBackTo).Distinct().ToList();
        return targets.Count == 1 ? $"release {targets[0]}" : "their previous releases";
    }

    public static string Count(int n) => ReleaseEvent.Servers(n);
}
