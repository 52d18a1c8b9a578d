namespace DeployRunner.Handlers;

/// <summary>
/// The environment a handler's child processes (scripts, kubectl) start from: the job's
/// variables without the runner's secrets. A child process inherits the runner's own
/// environment, so <see cref="Changes"/> also lists each secret's removal (CliWrap's convention:
/// null removes a variable); callers add their own variables on top of a copy.
/// </summary>
internal sealed record ChildEnvironment(IReadOnlyDictionary<string, string> Variables, IReadOnlyDictionary<string, string?> Removals)
{
    public static readonly ChildEnvironment Empty = From(new Dictionary<string, string>());

    public static ChildEnvironment From(IReadOnlyDictionary<string, string> jobEnvironment)
    {
        var removals = new Dictionary<string, string?>(StringComparer.Ordinal);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in jobEnvironment)
        {
            if (IsRunnerSecret(name)) removals[name] = null;
            else variables[name] = value;
        }

        return new ChildEnvironment(variables, removals);
    }

    /// <summary>A fresh set of changes for one child process: the removals, to which the caller adds its variables.</summary>
    public Dictionary<string, string?> Changes() => new(Removals, StringComparer.Ordinal);

    /// <summary>
    /// The job's variables a user script must not see: inputs (they may hold secrets), the
    /// runner's own <c>ACTIONS_*</c> tokens and saved state, and the GitHub token.
    /// </summary>
    public static bool IsRunnerSecret(string name) =>
        name.StartsWith("INPUT_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ACTIONS_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("GITHUB_TOKEN", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("STATE_", StringComparison.OrdinalIgnoreCase);
}
