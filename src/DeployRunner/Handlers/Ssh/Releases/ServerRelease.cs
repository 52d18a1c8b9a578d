namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What happened to one server during a release run; the summary row is made from it.</summary>
internal sealed class ServerRelease(SshConnection connection)
{
    public SshConnection Connection { get; } = connection;

    public string Display => Connection.Host.Display;

    /// <summary>The deploy path as this run found it, before changing anything.</summary>
    public ReleaseHistory? History { get; set; }

    /// <summary>What <c>current</c> pointed to before this run switched it.</summary>
    public string? Previous => History?.Current;

    /// <summary>This run holds the deploy path's lock on this server (<see cref="ReleasePrograms.Lock"/>); it goes at the end of the run, whatever the phase.</summary>
    public bool Locked { get; set; }

    public ReleasePhase Phase { get; private set; }

    /// <summary>The release <c>current</c> went back to, once <see cref="Phase"/> is <see cref="ReleasePhase.RolledBack"/>.</summary>
    public string? RolledBackTo { get; private set; }

    public ServerFailure? Failure { get; set; }

    public string? Healthy { get; set; }

    public string UploadStats { get; set; } = "";

    public TimeSpan Duration { get; set; }

    /// <summary>The server's current points at this run's release.</summary>
    public bool IsSwitched => Phase == ReleasePhase.Switched;

    public void Uploaded(UploadStats stats)
    {
        Phase = ReleasePhase.Uploaded;
        UploadStats = stats.ToString();
    }

    public void SwitchSent() => Phase = ReleasePhase.SwitchSent;

    public void Switched() => Phase = ReleasePhase.Switched;

    /// <summary>A switch that got no answer may have happened: it counts as done, so that it is undone (switching back again is harmless).</summary>
    public void AssumeSwitchedIfUnanswered()
    {
        if (Phase == ReleasePhase.SwitchSent && Previous is not null) Phase = ReleasePhase.Switched;
    }

    public void RolledBack(string to)
    {
        Phase = ReleasePhase.RolledBack;
        RolledBackTo = to;
    }

    /// <summary>A stop: the server's failure, or <paramref name="reason"/> if it had none, now counts as cancelled.</summary>
    public void Stopped(string reason = "stopped") =>
        Failure = (Failure ?? new ServerFailure(TargetState.Cancelled, reason)) with { Kind = TargetState.Cancelled };

    public TargetResult ToResult(string release)
    {
        var parts = new List<string> { $"release {release}" };
        if (UploadStats.Length > 0) parts.Add(UploadStats);
        parts.Add(Phase is ReleasePhase.Switched or ReleasePhase.RolledBack ? "switched" : "not switched");
        if (Healthy is not null) parts.Add(Healthy);
        if (RolledBackTo is not null) parts.Add($"rolled back to {RolledBackTo}");
        if (Failure is not null) parts.Add(Failure.Reason);
        var state = Failure?.Kind ?? (Phase == ReleasePhase.RolledBack ? TargetState.RolledBack : TargetState.Ok);
        return new TargetResult(Display, state, Failure?.ExitCode, Duration, string.Join("; ", parts));
    }
}
