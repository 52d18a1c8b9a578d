namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>How far one server got in a release run; a run only moves a server forward, except that a stop or a fault turns a sent switch into one to undo.</summary>
internal enum ReleasePhase
{
    /// <summary>The new release is not complete on the server yet (read, locked, uploading, or nothing at all).</summary>
    Preparing,

    /// <summary>The new release is complete in <c>releases/</c> (and its script ran, if any); <c>current</c> untouched.</summary>
    Uploaded,

    /// <summary>The switch was sent: <c>current</c> may have changed even if no answer came (a stop).</summary>
    SwitchSent,

    /// <summary><c>current</c> points at the release this run made live (or, for the <c>rollback</c> task, at its target).</summary>
    Switched,

    /// <summary>Back on a release before this run's (auto-rollback), or on the <c>rollback</c> task's target: <see cref="ServerRelease.RolledBackTo"/>.</summary>
    RolledBack,
}
