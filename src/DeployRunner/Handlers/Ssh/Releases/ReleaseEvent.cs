using System.Globalization;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>
/// What a release run tells the log, as data: each event is a record of what happened and where;
/// its wording and its level are decided here, in one place, not in the steps that raise it.
/// </summary>
internal abstract record ReleaseEvent
{
    public enum Level
    {
        Info,
        Warning,
        Error,
    }

    /// <summary>Phase one begins: what goes where, on how many servers.</summary>
    public sealed record PhaseOneStarted(string Release, int Files, long Bytes, string DeployPath, int ServerCount, bool RunsScript) : ReleaseEvent;

    public sealed record PhaseOneSucceeded(string Release) : ReleaseEvent;

    public sealed record Uploaded(string Server, UploadStats Stats) : ReleaseEvent;

    /// <summary>A user script starts on a server (<c>script</c>, <c>after-switch</c>).</summary>
    public sealed record Running(string Server, string What) : ReleaseEvent;

    /// <summary>Deployment variables too big for one SSH command, left out of a script's environment.</summary>
    public sealed record VariablesLeftOut(string Server, string What, IReadOnlyList<string> Names) : ReleaseEvent;

    public sealed record SwitchedTo(string Server, string Release) : ReleaseEvent;

    /// <summary>The <c>rollback</c> task found a server already on its target.</summary>
    public sealed record AlreadyOn(string Server, string Release) : ReleaseEvent;

    public sealed record WaitingForHealth(string Server, string Url, TimeSpan Deadline) : ReleaseEvent;

    public sealed record Unhealthy(string Server, string Url, string Detail) : ReleaseEvent;

    /// <summary>A server failed: the reason (its result and the status) and, in the annotation only, the last lines it printed.</summary>
    public sealed record ServerFailed(string Server, string Reason, string LastOutput) : ReleaseEvent;

    public sealed record RollingBack(int ServerCount) : ReleaseEvent;

    public sealed record RolledBack(string Server, string Release) : ReleaseEvent;

    public sealed record Pruned(string Server, IReadOnlyList<string> Releases, int Keep) : ReleaseEvent;

    public sealed record PruneFailed(string Server, string Why) : ReleaseEvent;

    /// <summary>A line of the server's release log (<c>failed</c>, <c>rolled-back</c>) could not be written.</summary>
    public sealed record NoteFailed(string Server, string Note, string Release, string Why) : ReleaseEvent;

    public sealed record StaleLockTaken(string Server, string Owner) : ReleaseEvent;

    public sealed record LockLeft(string Server, string DeployPath) : ReleaseEvent;

    /// <summary>"1 server", "3 servers".</summary>
    public static string Servers(int count) => count == 1 ? "1 server" : string.Create(CultureInfo.InvariantCulture, $"{count} servers");

    public Level Severity => this switch
    {
        Unhealthy or ServerFailed => Level.Error,
        VariablesLeftOut or RollingBack or PruneFailed or NoteFailed or StaleLockTaken or LockLeft => Level.Warning,
        _ => Level.Info,
    };

    public string Text => this switch
    {
        PhaseOneStarted e => string.Create(CultureInfo.InvariantCulture, $"Release {e.Release}: phase one uploads {e.Files} files ({e.Bytes / 1024.0 / 1024.0:0.0} MB) to {e.DeployPath}/releases/{e.Release} on {e.ServerCount} servers")
                             + (e.RunsScript ? " and runs the script there" : "") + "; current stays as it is.",
        PhaseOneSucceeded e => $"Phase one succeeded on every server: switching current to {e.Release}.",
        Uploaded e => $"{e.Server}: {e.Stats}",
        Running e => $"{e.Server}: running {e.What}",
        VariablesLeftOut e => $"{e.Server}: {RemoteCommand.LeftOutWarning(e.What, e.Names)}",
        SwitchedTo e => $"{e.Server}: current -> releases/{e.Release}",
        AlreadyOn e => $"{e.Server}: already on {e.Release}",
        WaitingForHealth e => string.Create(CultureInfo.InvariantCulture, $"{e.Server}: waiting for {e.Url} to answer 2xx (at most {e.Deadline.TotalSeconds:0} s)"),
        Unhealthy e => $"{e.Server}: health check {e.Url} failed: {e.Detail}.",
        ServerFailed e => $"{e.Server}: {e.Reason}{e.LastOutput}",
        RollingBack e => $"Rolling back {Servers(e.ServerCount)} to their previous release (auto-rollback).",
        RolledBack e => $"{e.Server}: current -> releases/{e.Release} (rolled back)",
        Pruned e => string.Create(CultureInfo.InvariantCulture, $"{e.Server}: pruned {string.Join(", ", e.Releases)} (keep-releases {e.Keep})"),
        PruneFailed e => $"{e.Server}: could not prune old releases: {e.Why}",
        NoteFailed e => $"{e.Server}: could not note '{e.Note}' for {e.Release} in the release log: {e.Why}",
        StaleLockTaken e => $"{e.Server}: took over the lock of a run that ended without removing it ({e.Owner}).",
        LockLeft e => $"{e.Server}: could not remove this run's lock ({e.DeployPath}/.deploy-runner/lock); the next run takes it over once it is stale (this run's timeout plus a minute), or remove it by hand.",
        _ => throw new InvalidOperationException($"{GetType().Name} has no wording"),
    };

    /// <summary>The annotation's title, for the events that make one.</summary>
    public string? Title => this switch
    {
        Unhealthy e => $"Host {e.Server} unhealthy",
        ServerFailed e => $"Host {e.Server} failed",
        _ => null,
    };

    public void WriteTo(IWorkflowLog log)
    {
        switch (Severity)
        {
            case Level.Error:
                log.Error(Text, Title);
                break;
            case Level.Warning:
                log.Warning(Text, Title);
                break;
            default:
                log.Info(Text);
                break;
        }
    }
}
