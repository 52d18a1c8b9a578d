namespace DeployRunner.Configuration;

/// <summary>A target of <c>.github/deploy.yml</c>: its name, its environment (as written), and its runner block.</summary>
internal sealed record DeployTarget(string Name, string Environment, IReadOnlyList<ConfiguredSetting> Runner, ConfigLocation Location);
