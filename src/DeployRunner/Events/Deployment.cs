namespace DeployRunner.Events;

/// <summary>One GitHub deployment, as the event (or the API) describes it.</summary>
internal sealed record Deployment(
    long Id,
    string Sha,
    string Ref,
    string Task,
    string Environment,
    string? OriginalEnvironment,
    string? Description,
    bool TransientEnvironment,
    bool ProductionEnvironment,
    DeploymentPayload Payload,
    string? Creator = null)
{
    /// <summary><c>remove</c> is the conventional task for tearing an environment down.</summary>
    public bool IsRemoval => string.Equals(Task, "remove", StringComparison.OrdinalIgnoreCase);
}
