namespace DeployRunner.Handlers.Ssh.Releases;

/// <summary>A release step that failed on a server, with a one-line reason.</summary>
internal sealed class ReleaseStepException(string message) : Exception(message);
