namespace DeployRunner.GitHub;

internal static class DeploymentStates
{
    public static string ToApiName(this DeploymentState state) => state switch
    {
        DeploymentState.Queued => "queued",
        DeploymentState.Pending => "pending",
        DeploymentState.InProgress => "in_progress",
        DeploymentState.Success => "success",
        DeploymentState.Failure => "failure",
        DeploymentState.Error => "error",
        DeploymentState.Inactive => "inactive",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static DeploymentState? FromApiName(string? name) => name switch
    {
        "queued" => DeploymentState.Queued,
        "pending" => DeploymentState.Pending,
        "in_progress" => DeploymentState.InProgress,
        "success" => DeploymentState.Success,
        "failure" => DeploymentState.Failure,
        "error" => DeploymentState.Error,
        "inactive" => DeploymentState.Inactive,
        _ => null,
    };

    public static bool IsTerminal(this DeploymentState state) =>
        state is DeploymentState.Success or DeploymentState.Failure or DeploymentState.Error or DeploymentState.Inactive;
}
