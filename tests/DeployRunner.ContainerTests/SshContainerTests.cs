using System.Text.Json.Nodes;
using DeployRunner.ContainerTests.Infrastructure;

namespace DeployRunner.ContainerTests;

/// <summary>
/// The ssh handler inside the image: the hyphenated ssh inputs survive `docker run -e`, the Native
/// AOT binary's SSH client reaches real sshd processes on loopback through the host network, and
/// host keys are checked.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class SshContainerTests(ImageFixture image, SshServers servers) : IClassFixture<SshServers>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact(Timeout = 180_000)]
    public async Task I_can_deploy_from_the_container_to_two_hosts_over_ssh()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string>
        {
            ["handler"] = "ssh",
            ["hosts"] = $"{servers.Host(0)}, {servers.Host(1)}",
            ["ssh-user"] = SshServers.User,
            ["ssh-key"] = servers.EncryptedEd25519.PrivateKey,
            ["ssh-passphrase"] = servers.EncryptedEd25519.Passphrase!,
            ["ssh-known-hosts"] = servers.KnownHosts(),
            ["script"] = "echo \"deployed $DEPLOY_SHA to $(echo \"$SSH_CONNECTION\" | cut -d' ' -f3)\"",
        }, inContainer: true);

        var result = await new ActionContainer(image.Image, layout, variables).RunAsync(RunTimeout);

        Assert.True(result.ExitCode == 0, ActionContainer.Describe(result));
        Assert.Equal(["in_progress", "success"], api.States);
        Assert.Contains($"{servers.Host(0)} | deployed a5c3785ed8d6a35868bc169f07e40e889087fd2e to 127.0.0.2", result.StandardOutput);
        Assert.Contains($"{servers.Host(1)} | deployed a5c3785ed8d6a35868bc169f07e40e889087fd2e to 127.0.0.3", result.StandardOutput);
        var results = JsonNode.Parse(layout.Outputs()["results"])!.AsArray();
        Assert.Equal([servers.Host(0), servers.Host(1)], results.Select(r => (string?)r!["target"]));
        Assert.DoesNotContain(servers.EncryptedEd25519.Passphrase!, result.StandardOutput.Replace("::add-mask::" + servers.EncryptedEd25519.Passphrase, ""));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_host_key_that_is_not_pinned_is_refused_from_the_container_too()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string>
        {
            ["handler"] = "ssh",
            ["hosts"] = servers.Host(0),
            ["ssh-user"] = SshServers.User,
            ["ssh-key"] = servers.Ed25519.PrivateKey,
            ["ssh-known-hosts"] = $"[{SshServers.FleetAddresses[0]}]:{servers.FleetPort} {servers.StrangerHostKey}\n",
            ["script"] = "touch /tmp/must-not-run",
        }, inContainer: true);

        var result = await new ActionContainer(image.Image, layout, variables).RunAsync(RunTimeout);

        Assert.True(result.ExitCode != 0, ActionContainer.Describe(result));
        Assert.Equal(["in_progress", "error"], api.States);
        Assert.Contains(result.StandardOutput.Split('\n'), l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains(servers.Host(0), StringComparison.Ordinal));
    }
}
