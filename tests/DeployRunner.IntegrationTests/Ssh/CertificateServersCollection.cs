namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>The certificate tests share one set of <see cref="CertificateServers"/> (the sshd servers that trust and present certificates).</summary>
[CollectionDefinition(Name)]
public sealed class CertificateServersCollection : ICollectionFixture<CertificateServers>
{
    public const string Name = "OpenSSH servers with certificates";
}
