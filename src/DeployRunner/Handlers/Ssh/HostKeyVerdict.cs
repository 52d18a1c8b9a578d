namespace DeployRunner.Handlers.Ssh;

internal enum HostKeyVerdict
{
    /// <summary>A known_hosts line for the host or a pinned fingerprint has this key.</summary>
    Trusted,

    /// <summary>Nothing pins this host's key (allowed, with a warning, only when <c>ssh-strict</c> is false).</summary>
    Unknown,

    /// <summary>known_hosts names the host with another key: possibly someone in the middle. Always refused.</summary>
    Mismatch,

    /// <summary>The key is marked <c>@revoked</c>. Always refused.</summary>
    Revoked,

    /// <summary>A host certificate that fails a rule of the <c>@cert-authority</c> lines for the host (CA, type, name, validity). Always refused.</summary>
    CertificateRefused,
}
