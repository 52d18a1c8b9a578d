namespace DeployRunner.GitHub;

/// <summary>A status a deployment already has, as the API lists it.</summary>
internal sealed record DeploymentStatusRecord(long Id, string State, string? Description)
{
    public DeploymentState? Known => DeploymentStates.FromApiName(State);
}
