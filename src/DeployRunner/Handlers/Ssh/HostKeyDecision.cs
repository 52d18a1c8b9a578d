namespace DeployRunner.Handlers.Ssh;

/// <summary>The answer for one offered host key, with the line to print about it.</summary>
internal sealed record HostKeyDecision(HostKeyVerdict Verdict, bool Accept, string Fingerprint, string? Message);
