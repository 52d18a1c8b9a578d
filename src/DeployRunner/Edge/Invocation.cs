namespace DeployRunner.Edge;

/// <summary>What the command line asks for: help, the version, or a run.</summary>
internal abstract record Invocation
{
    public sealed record ShowHelp : Invocation;

    public sealed record ShowVersion : Invocation;

    /// <summary>A run: the event file (if given) and the inputs as <c>--name=value</c> arguments, each checked against action.yml.</summary>
    public sealed record Run(string? EventPath, IReadOnlyList<string> Inputs) : Invocation;
}
