namespace DeployRunner.Configuration;

/// <summary>
/// A target of <c>.github/deploy.yml</c>: its name, its environment (as written, possibly a
/// Deliverybot template such as <c>pr${{ pr }}</c>), its runner block, and Deliverybot's keys for
/// creating its deployments.
/// </summary>
internal sealed record DeployTarget(string Name, string Environment, IReadOnlyList<ConfiguredSetting> Runner, ConfigLocation Location, TargetDeployment? Deployment = null)
{
    /// <summary>Deliverybot's keys, or their defaults when the target has none.</summary>
    public TargetDeployment Creation => Deployment ?? TargetDeployment.Defaults;
}
