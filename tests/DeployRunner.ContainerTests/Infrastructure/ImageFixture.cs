using CliWrap;
using CliWrap.Buffered;

namespace DeployRunner.ContainerTests.Infrastructure;

/// <summary>
/// Builds the repository's Dockerfile, unchanged, once for all container tests
/// (`docker build --network host`: the engine here has no bridge network). The base images are
/// the local stand-ins tests/infra/standin-images.sh makes.
/// </summary>
public sealed class ImageFixture : IAsyncLifetime
{
    /// <summary>One tag per checkout, so two checkouts on one machine never test each other's image.</summary>
    public static string Tag { get; } =
        "deployrunner-test:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RepositoryFiles.Root)))[..12];

    public string Image => Tag;

    public string BuildLog { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Docker.RequireEngineAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var result = await Cli.Wrap("docker")
            .WithArguments(["build", "--network", "host", "-t", Tag, "-f", Path.Combine(RepositoryFiles.Root, "Dockerfile"), RepositoryFiles.Root])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        BuildLog = result.StandardOutput + result.StandardError;
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker build failed ({result.ExitCode}). Are the base-image stand-ins there (tests/infra/standin-images.sh)?\n{BuildLog}");
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class ImageCollection : ICollectionFixture<ImageFixture>
{
    public const string Name = "image";
}
