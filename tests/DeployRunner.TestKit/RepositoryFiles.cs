namespace DeployRunner.TestKit;

/// <summary>
/// Where things are in this repository, found once from the test's own location: the one walk up
/// to the repository root that every test project uses.
/// </summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>The Native AOT binary tests/run.sh publishes before the container tests run.</summary>
    public static string AotBinary => Path.Combine(Root, "artifacts", "aot", "DeployRunner");

    /// <summary>The examples/ folder (events, scripts, workflows, manifests).</summary>
    public static string ExamplesDirectory => Path.Combine(Root, "examples");

    public static string Example(string relativePath) => Path.Combine(ExamplesDirectory, relativePath);

    /// <summary>A file at the repository root (README.md, action.yml, ...), as text.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployRunner.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("DeployRunner.sln not found above the test binaries.");
    }
}
