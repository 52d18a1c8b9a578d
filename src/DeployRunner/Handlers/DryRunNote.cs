namespace DeployRunner.Handlers;

/// <summary>A line <c>dry-run</c> prints after the plan; <paramref name="Untrusted"/> when it quotes values a deployment may choose (printed with workflow commands stopped).</summary>
internal sealed record DryRunNote(string Text, bool Untrusted);
