namespace DeployRunner.TestKit;

/// <summary>A test class with its own fake GitHub API, started and stopped around each test.</summary>
public abstract class FakeApiTest : IAsyncLifetime
{
    protected FakeGitHubApi Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
