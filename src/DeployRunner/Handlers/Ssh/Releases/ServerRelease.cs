namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>What happened to one server during a release run; the summary row is made from it.</summary>
internal sealed class ServerRelease(SshConnection connection)
{
    public SshConnection Connection { get; } = connection;

    public string Display => Connection.Host.Display;

    public ReleaseHistory? History { get; set; }

    /// <summary>What <c>current</c> pointed to before this run switched it.</summary>
    public string? Previous { get; set; }

    /// <summary>This run holds the deploy path's lock on this server (<see cref="ReleasePrograms.Lock"/>).</summary>
    public bool Locked { get; set; }

    public bool Uploaded { get; set; }

    public bool Switched { get; set; }

    /// <summary>The switch was started: <c>current</c> may have changed even if no answer came (a stop).</summary>
    public bool SwitchAttempted { get; set; }

    public string? Healthy { get; set; }

    public string? RolledBackTo { get; set; }

    public string? Failure { get; set; }

    /// <summary>Failed (the deployment's fault: script, hook, health) or Error (the runner could not do the work); Cancelled or Skipped.</summary>
    public TargetState FailureKind { get; set; } = TargetState.Failed;

    public int? ExitCode { get; set; }

    public string UploadStats { get; set; } = "";

    public TimeSpan Duration { get; set; }

    public TargetResult ToResult(string release)
    {
        var parts = new List<string> { $"release {release}" };
        if (UploadStats.Length > 0) parts.Add(UploadStats);
        parts.Add(Switched || RolledBackTo is not null ? "switched" : "not switched");
        if (Healthy is not null) parts.Add(Healthy);
        if (RolledBackTo is not null) parts.Add($"rolled back to {RolledBackTo}");
        if (Failure is not null) parts.Add(Failure);
        var result = Failure is null && RolledBackTo is null ? TargetState.Ok : RolledBackTo is not null && Failure is null ? TargetState.RolledBack : FailureKind;
        return new TargetResult(Display, result, ExitCode, Duration, string.Join("; ", parts));
    }
}
