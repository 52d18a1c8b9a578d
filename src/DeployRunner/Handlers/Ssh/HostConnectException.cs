namespace DeployRunner.Handlers.Ssh;

/// <summary>Why a server could not be used, as one line that names it.</summary>
internal sealed class HostConnectException(string message, bool hostKeyRefused) : Exception(message)
{
    /// <summary>The server's key was refused: a security stop, not a network hiccup.</summary>
    public bool HostKeyRefused { get; } = hostKeyRefused;
}
