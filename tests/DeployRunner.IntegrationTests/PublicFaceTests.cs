using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests;

/// <summary>The public face agrees with the code: action.yml, README and src name the same inputs and outputs.</summary>
public sealed class PublicFaceTests
{
    private static readonly string Root = RepositoryFiles.Root;

    private static YamlMappingNode ActionYml()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, "action.yml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<string> Names(string section) =>
        ((YamlMappingNode)ActionYml().Children[new YamlScalarNode(section)]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    private static string Source() => string.Join('\n',
        Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

    /// <summary>
    /// The code that uses the inputs: every file but the lists that only name them (the setting
    /// catalog and the handler definitions), so an input counts as read only where a value is read.
    /// </summary>
    private static string ReadingSource() => string.Join('\n',
        Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) != "SettingCatalog.cs" && !file.EndsWith("Definition.cs", StringComparison.Ordinal))
            .Select(File.ReadAllText));

    [Fact]
    public void Every_input_has_a_description_and_is_documented_and_read()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var source = ReadingSource();
        var inputs = (YamlMappingNode)ActionYml().Children[new YamlScalarNode("inputs")];

        Assert.NotEmpty(inputs.Children);
        foreach (var (key, value) in inputs.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var description = ((YamlMappingNode)value).Children.TryGetValue(new YamlScalarNode("description"), out var d) ? ((YamlScalarNode)d).Value : null;
            Assert.False(string.IsNullOrWhiteSpace(description), $"Input `{name}` has no description in action.yml.");
            Assert.True(readme.Contains($"`{name}`", StringComparison.Ordinal), $"Input `{name}` is not documented in README.md.");
            Assert.True(
                System.Text.RegularExpressions.Regex.IsMatch(source, $@"\.Get\w*\(\s*""{System.Text.RegularExpressions.Regex.Escape(name)}"""),
                $"Input `{name}` is never read in src/ (an InputSet.Get* call with its name, outside the catalog and the handler definitions).");
        }
    }

    [Fact]
    public void Every_output_is_documented_and_written()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var source = Source();

        foreach (var name in Names("outputs"))
        {
            Assert.True(readme.Contains($"`{name}`", StringComparison.Ordinal), $"Output `{name}` is not documented in README.md.");
            Assert.True(source.Contains($"SetOutputAsync(\"{name}\"", StringComparison.Ordinal), $"Output `{name}` is never written in src/.");
        }
    }

    [Fact]
    public void The_action_runs_as_a_docker_action()
    {
        var runs = (YamlMappingNode)ActionYml().Children[new YamlScalarNode("runs")];

        Assert.Equal("docker", ((YamlScalarNode)runs.Children[new YamlScalarNode("using")]).Value);
    }

    [Fact]
    public void The_ci_entry_point_runs_the_test_command_the_README_gives()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));

        Assert.Contains("bash tests/run.sh", readme);
        Assert.Contains("bash tests/run.sh", ci);
    }

    public static TheoryData<string> ExampleWorkflows()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "examples"), "*.yml", SearchOption.AllDirectories).Order())
        {
            if (File.ReadAllText(file).Contains("deliverybot/runner@", StringComparison.Ordinal))
                data.Add(Path.GetRelativePath(Root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleWorkflows))]
    public void Every_example_workflow_uses_only_inputs_the_action_declares(string relativePath)
    {
        var declared = Names("inputs").ToHashSet(StringComparer.Ordinal);
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, relativePath))) stream.Load(reader);
        var steps = stream.Documents.SelectMany(d => d.AllNodes).OfType<YamlMappingNode>()
            .Where(m => m.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("deliverybot/runner@", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(steps);
        foreach (var step in steps)
        {
            Assert.Equal("deliverybot/runner@v1", ((YamlScalarNode)step.Children[new YamlScalarNode("uses")]).Value);
            if (!step.Children.TryGetValue(new YamlScalarNode("with"), out var with)) continue;
            foreach (var key in ((YamlMappingNode)with).Children.Keys.Cast<YamlScalarNode>())
                Assert.True(declared.Contains(key.Value!), $"{relativePath} passes `{key.Value}`, which action.yml does not declare.");
        }
    }
}
