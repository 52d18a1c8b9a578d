using DeployRunner.Workflow;

namespace DeployRunner.Handlers;

/// <summary>
/// What every handler may use, handed down from <c>Program</c>. The job's environment arrives
/// already stripped of the runner's secrets (<see cref="ChildEnvironment"/>): a handler cannot
/// forget to remove them, because it never holds them.
/// </summary>
internal sealed record HandlerContext(
    IWorkflowLog Log,
    ChildEnvironment Environment,
    string Workspace,
    TimeProvider Time)
{
    /// <summary>From the job's whole environment, as <c>Program</c> read it.</summary>
    public HandlerContext(IWorkflowLog log, IReadOnlyDictionary<string, string> jobEnvironment, string workspace, TimeProvider time)
        : this(log, ChildEnvironment.From(jobEnvironment), workspace, time)
    {
    }

    /// <summary>
    /// The job's variables a user script must not see: inputs (they may hold secrets), the
    /// runner's own <c>ACTIONS_*</c> tokens, and the GitHub token.
    /// </summary>
    public static bool IsRunnerSecret(string name) => ChildEnvironment.IsRunnerSecret(name);

    /// <summary>
    /// The job's stop (SIGINT, SIGTERM), for the work a handler does while it is made: walking a
    /// <c>manifests</c> folder can take a while on a big tree, and a stop must end it.
    /// </summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>What the runner allows once told to stop: a handler's own stop budgets are carved out of <see cref="ShutdownBudget.HandlerStop"/>.</summary>
    public ShutdownBudget Shutdown { get; init; } = ShutdownBudget.Default;
}
