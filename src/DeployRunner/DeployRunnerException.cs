namespace DeployRunner;

/// <summary>The root of the runner's own exceptions.</summary>
public class DeployRunnerException(string message, Exception? inner = null) : Exception(message, inner);
