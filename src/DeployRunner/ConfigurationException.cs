namespace DeployRunner;

/// <summary>
/// The user gave the runner something it cannot work with (a malformed event, a missing or bad
/// input, an unknown handler). The message is shown as one <c>::error::</c> line and must say
/// what is wrong and how to fix it; it must never contain a secret.
/// </summary>
internal sealed class ConfigurationException(string message, Exception? inner = null)
    : DeployRunnerException(message, inner);
