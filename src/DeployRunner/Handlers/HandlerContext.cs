using DeployRunner.Workflow;

namespace DeployRunner.Handlers;

/// <summary>What every handler may use, handed down from <c>Program</c>.</summary>
public sealed record HandlerContext(
    IWorkflowLog Log,
    IReadOnlyDictionary<string, string> JobEnvironment,
    string Workspace,
    TimeProvider Time)
{
    /// <summary>
    /// The job's variables a user script must not see: inputs (they may hold secrets), the
    /// runner's own <c>ACTIONS_*</c> tokens, and the GitHub token.
    /// </summary>
    public static bool IsRunnerSecret(string name) =>
        name.StartsWith("INPUT_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ACTIONS_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("GITHUB_TOKEN", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("STATE_", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Environment changes (CliWrap's convention: null removes a variable) that strip the runner's
    /// secrets from a child process; callers add their own variables on top.
    /// </summary>
    public static Dictionary<string, string?> WithoutRunnerSecrets(IReadOnlyDictionary<string, string> jobEnvironment)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in jobEnvironment.Keys.Where(IsRunnerSecret))
            changes[name] = null;
        return changes;
    }
}
