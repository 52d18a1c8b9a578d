namespace DeployRunner.TestKit;

/// <summary>Where things are in this repository, found from the test's own location.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>The Native AOT binary tests/run.sh publishes before these tests run.</summary>
    public static string AotBinary => Path.Combine(Root, "artifacts", "aot", "DeployRunner");

    public static string Example(string relativePath) => Path.Combine(Root, "examples", relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployRunner.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("DeployRunner.sln not found above the test binaries.");
    }
}
