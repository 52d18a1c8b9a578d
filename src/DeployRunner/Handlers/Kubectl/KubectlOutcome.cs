namespace DeployRunner.Handlers.Kubectl;

/// <summary>How one kubectl command ended; <see cref="Messages"/> are its last stderr lines (for a reason).</summary>
internal sealed record KubectlOutcome(int? ExitCode, bool Cancelled, string Output, IReadOnlyList<string> Messages, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0 && !Cancelled;

    /// <summary>
    /// kubectl's own last word, such as <c>error: timed out waiting for the condition</c>: its
    /// error lines when it printed any, else its last line.
    /// </summary>
    public string Message
    {
        get
        {
            var errors = Messages.Where(m => m.StartsWith("error", StringComparison.OrdinalIgnoreCase) || m.StartsWith("Error from server", StringComparison.Ordinal)).ToList();
            if (errors.Count > 0) return string.Join(" ", errors.TakeLast(2));
            return Messages.Count > 0 ? Messages[^1] : ExitCode is { } code ? $"exit code {code}" : "stopped";
        }
    }
}
