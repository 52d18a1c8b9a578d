using DeployRunner.Inputs;

namespace DeployRunner.Handlers;

/// <summary>
/// Everything the rest of the runner knows about one handler, declared in the handler's own
/// folder: its name, the inputs it reads (and which are secrets, paths, durations), the programs
/// it needs on PATH, and how to create it. Creating reads and checks its inputs, so a bad input
/// is found before any status is posted or anything runs.
/// </summary>
/// <remarks>
/// What every handler gets is applied by <see cref="HandlerCatalog.Create(HandlerDefinition, InputSet, HandlerContext)"/>
/// from these declarations, never by the factory: <c>atomic</c> refused unless the handler lists
/// it among its <see cref="Inputs"/>, the programs looked for on PATH, and <c>health-check-url</c>
/// polled after the run (with its dry-run line) unless the handler declares it checks each target
/// itself. A new handler that declares nothing gets the safe side of each.
/// </remarks>
internal sealed record HandlerDefinition(
    string Name,
    IReadOnlyList<SettingDefinition> Inputs,
    IReadOnlyList<string> Programs,
    Func<InputSet, HandlerContext, IDeploymentHandler> Create)
{
    /// <summary>
    /// True when, with these inputs, the handler polls <c>health-check-url</c> itself, per target
    /// (the ssh handler's releases check each server between its switch and its rollback). The
    /// default, false, has the pipeline check once after the handler succeeded.
    /// </summary>
    public Func<InputSet, bool> ChecksHealthItself { get; init; } = _ => false;

    /// <summary>
    /// What to do instead, said when <c>atomic: true</c> is given to a handler that does not read
    /// it (one that does not list <c>atomic</c> among its <see cref="Inputs"/>).
    /// </summary>
    public string InsteadOfAtomic { get; init; } = "Remove it.";

    /// <summary>Whether the handler lists <paramref name="input"/> among the inputs it reads.</summary>
    public bool Reads(string input) => Inputs.Any(i => i.Name.Equals(input, StringComparison.OrdinalIgnoreCase));
}
