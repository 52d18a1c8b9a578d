namespace DeployRunner.Handlers;

/// <summary>
/// What happened to one target. The <c>results</c> output spells each as
/// <see cref="TargetStates.ToOutputName"/> says, and the README's outputs section lists them.
/// </summary>
internal enum TargetState
{
    /// <summary>The script ran and exited 0.</summary>
    Ok,

    /// <summary>The script (or a rollout, or a deletion) failed.</summary>
    Failed,

    /// <summary>The target could not be used (a host unreachable).</summary>
    Error,

    /// <summary>A host key did not match what the workflow trusts.</summary>
    Refused,

    /// <summary>Not run, because of another target (fail-fast, a refused key, a jump host down).</summary>
    Skipped,

    /// <summary>Stopped (or never started) because the deployment was cancelled.</summary>
    Cancelled,

    /// <summary>kubectl applied the object.</summary>
    Applied,

    /// <summary>kubectl could not apply the objects.</summary>
    ApplyFailed,

    /// <summary>The rollout was not waited for: an earlier one failed.</summary>
    NotChecked,

    /// <summary>The rollout finished.</summary>
    RolledOut,

    /// <summary>A removal deleted the object.</summary>
    Deleted,

    /// <summary>A removal found nothing to delete.</summary>
    Absent,

    /// <summary>A removal left the object alone: this runner did not deploy it for this environment.</summary>
    Kept,

    /// <summary>Put back to what it was before (kubectl atomic, a release rolled back, the rollback task).</summary>
    RolledBack,

    /// <summary>Putting it back failed.</summary>
    RollbackFailed,

    /// <summary>The health check passed.</summary>
    Healthy,

    /// <summary>The health check failed.</summary>
    Unhealthy,
}
