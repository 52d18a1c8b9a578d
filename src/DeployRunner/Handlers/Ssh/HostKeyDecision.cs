namespace DeployRunner.Handlers.Ssh;

/// <summary>The answer for one offered host key, with the line to print about it.</summary>
internal sealed record HostKeyDecision(HostKeyVerdict Verdict, bool Accept, string Fingerprint, string? Message)
{
    /// <summary>The offered key itself, so an accepted key can pin the next connection to the host.</summary>
    public byte[] KeyBlob { get; init; } = [];
}
