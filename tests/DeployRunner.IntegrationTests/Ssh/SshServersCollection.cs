namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// The ssh tests share one set of <see cref="SshServers"/>. xunit finds collection definitions in
/// the test assembly only, so this one stays here while the fixture lives in the test kit.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SshServersCollection : ICollectionFixture<SshServers>
{
    public const string Name = "OpenSSH servers";
}
