namespace DeployRunner.Configuration;

/// <summary>One setting from a target's <c>runner:</c> block, already in the input's text form.</summary>
internal sealed record ConfiguredSetting(string Name, string Value, ConfigLocation Location);
