namespace DeployRunner;

/// <summary>The root of the runner's own exceptions.</summary>
internal class DeployRunnerException(string message, Exception? inner = null) : Exception(message, inner);
