namespace DeployRunner.Edge;

/// <summary>What the command line asks for: help, the version, or a run.</summary>
internal abstract record Invocation
{
    public sealed record ShowHelp : Invocation;

    public sealed record ShowVersion : Invocation;

    /// <summary>A run: the event file (if given) and the inputs given as flags, by name, each checked against action.yml (a later flag wins).</summary>
    public sealed record Run(string? EventPath, IReadOnlyDictionary<string, string> Inputs) : Invocation;
}
