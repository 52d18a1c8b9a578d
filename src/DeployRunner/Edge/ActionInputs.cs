using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Edge;

/// <summary>
/// The inputs declared in action.yml, which is embedded in the program: the command line's flags
/// and <c>--help</c> come from the same file the Actions runner reads, so they cannot disagree.
/// </summary>
internal static class ActionInputs
{
    public static readonly IReadOnlyList<ActionInput> All = Load();

    public static ActionInput? Find(string name) => All.FirstOrDefault(i => i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads action.yml's <c>inputs</c> in their declared order.</summary>
    public static IReadOnlyList<ActionInput> Parse(string actionYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(actionYaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var inputs = (YamlMappingNode)root.Children[new YamlScalarNode("inputs")];
        return inputs.Children
            .Select(entry => new ActionInput(
                ((YamlScalarNode)entry.Key).Value!,
                Scalar(entry.Value, "description"),
                Scalar(entry.Value, "default")))
            .ToList();
    }

    private static string Scalar(YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : "";

    private static IReadOnlyList<ActionInput> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("action.yml")
            ?? throw new InvalidOperationException("action.yml is not embedded in the program (see DeployRunner.csproj).");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
