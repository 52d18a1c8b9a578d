namespace DeployRunner.Handlers;

internal static class TargetStates
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
