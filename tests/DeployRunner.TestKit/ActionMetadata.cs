using DeployRunner.Edge;

namespace DeployRunner.TestKit;

/// <summary>
/// The repository's action.yml, read by the runner's own reader (<see cref="ActionInputs.Parse"/>):
/// the inputs it declares and the defaults the Actions runner fills in for a step.
/// </summary>
internal static class ActionMetadata
{
    public static IReadOnlyList<ActionInput> Inputs { get; } = ActionInputs.Parse(RepositoryFiles.Read("action.yml"));

    /// <summary>
    /// The step variables for <paramref name="names"/> as the Actions runner sets them when the
    /// workflow leaves them out: INPUT_ + the upper-cased name (hyphens kept) = action.yml's default.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> DefaultVariables(params string[] names) =>
        names.Select(name => KeyValuePair.Create(
            "INPUT_" + name.ToUpperInvariant(),
            Inputs.SingleOrDefault(input => input.Name == name)?.Default ?? throw new ArgumentException($"action.yml declares no input `{name}`.", nameof(names))));
}
