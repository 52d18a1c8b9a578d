using YamlDotNet.Core;

namespace DeployRunner.Inputs;

/// <summary>A YAML text refused for its structure, not its syntax.</summary>
internal sealed class YamlLimitException(Mark at, string limit) : YamlException(at, at, $"refused: {limit} (see docs/limits.md)");
