using System.Text.RegularExpressions;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// One server's releases as <see cref="ReleasePrograms.Inspect"/> reported them: the folders,
/// the current one, and the ordering log (never mtime: a touched folder must not change which
/// release is "previous" or which is pruned).
/// </summary>
internal sealed partial record ReleaseHistory(string Root, string? Current, IReadOnlyList<string> Folders, IReadOnlyList<(string Event, string Name)> Log)
{
    public const string PartialPrefix = ".partial-";

    /// <summary>Only names the runner makes: <c>DEPLOYMENT_ID-SHORTSHA</c>. Other folders are never touched.</summary>
    [GeneratedRegex("^[0-9]+-[0-9A-Za-z]+$")]
    public static partial Regex ReleaseName();

    public static ReleaseHistory From(RemoteShellResult inspected)
    {
        var log = inspected.Tagged("log")
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 3)
            .Select(parts => (parts[1], parts[2]))
            .ToList();
        return new ReleaseHistory(
            inspected.Tagged("root").FirstOrDefault() ?? throw new InvalidOperationException("The server did not report the deploy path."),
            inspected.Tagged("current").FirstOrDefault(),
            inspected.Tagged("dir").ToList(),
            log);
    }

    /// <summary>Releases that went live, oldest first, each at the place of its last switch; ones abandoned by a rollback since then left out.</summary>
    public IReadOnlyList<string> LiveOrder()
    {
        var lastLive = new Dictionary<string, int>(StringComparer.Ordinal);
        var abandoned = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Log.Count; i++)
        {
            if (Log[i].Event == "live") lastLive[Log[i].Name] = i;
            if (Log[i].Event == "rolled-back") abandoned[Log[i].Name] = i;
        }

        return lastLive
            .Where(l => !(abandoned.TryGetValue(l.Key, out var at) && at > l.Value))
            .Where(l => Folders.Contains(l.Key))
            .OrderBy(l => l.Value)
            .Select(l => l.Key)
            .ToList();
    }

    /// <summary>The release a rollback goes to: the last good live release other than the current one.</summary>
    public string? Previous() => LiveOrder().LastOrDefault(name => name != Current);

    /// <summary>The release of deployment <paramref name="deploymentId"/> (its folder starts with the id), or a full release name.</summary>
    public string? Find(string release)
    {
        if (ReleaseName().IsMatch(release) && Folders.Contains(release)) return release;
        return Folders.Where(f => ReleaseName().IsMatch(f) && f.StartsWith(release + "-", StringComparison.Ordinal))
            .OrderBy(f => LiveOrder().Contains(f) ? 0 : 1)
            .FirstOrDefault();
    }

    /// <summary>
    /// After a successful deploy: keep the newest <paramref name="keep"/> good live releases, and
    /// always the current and the previous one. Everything else the runner made goes: older
    /// releases, releases that failed (they never count toward <paramref name="keep"/>, so they
    /// cannot push out the last good one), abandoned and partial ones.
    /// </summary>
    public IReadOnlyList<string> ToPrune(int keep, string? previous)
    {
        var kept = new HashSet<string>(LiveOrder().TakeLast(keep), StringComparer.Ordinal);
        if (Current is not null) kept.Add(Current);
        if (previous is not null) kept.Add(previous);
        return Folders
            .Where(f => ReleaseName().IsMatch(f) || (f.StartsWith(PartialPrefix, StringComparison.Ordinal) && ReleaseName().IsMatch(f[PartialPrefix.Length..])))
            .Where(f => !kept.Contains(f))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
