namespace DeployRunner.Handlers.Ssh;

/// <summary>The answer for one offered host key, with the line to print about it.</summary>
internal sealed record HostKeyDecision(HostKeyVerdict Verdict, bool Accept, string Fingerprint, string? Message)
{
    /// <summary>What was offered, so an accepted key (or certificate) can pin the next connection to the host.</summary>
    public OfferedHostKey? Offered { get; init; }
}
