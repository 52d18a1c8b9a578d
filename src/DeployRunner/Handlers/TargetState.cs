namespace DeployRunner.Handlers;

/// <summary>
/// What happened to one target. The <c>results</c> output spells each as
/// <see cref="TargetStates.ToOutputName"/> says, and the README's outputs section lists them.
/// </summary>
public enum TargetState
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

public static class TargetStates
{
    /// <summary>The one mapping to the names the <c>results</c> output documents.</summary>
    public static string ToOutputName(this TargetState state) => state switch
    {
        TargetState.Ok => "ok",
        TargetState.Failed => "failed",
        TargetState.Error => "error",
        TargetState.Refused => "refused",
        TargetState.Skipped => "skipped",
        TargetState.Cancelled => "cancelled",
        TargetState.Applied => "applied",
        TargetState.ApplyFailed => "apply failed",
        TargetState.NotChecked => "not checked",
        TargetState.RolledOut => "rolled out",
        TargetState.Deleted => "deleted",
        TargetState.Absent => "absent",
        TargetState.Kept => "kept",
        TargetState.RolledBack => "rolled back",
        TargetState.RollbackFailed => "rollback failed",
        TargetState.Healthy => "healthy",
        TargetState.Unhealthy => "unhealthy",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
