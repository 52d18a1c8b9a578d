using DeployRunner.ChildProcesses;
using DeployRunner.Handlers.Kubectl;

namespace DeployRunner.Tests.Kubectl;

/// <summary>The private kubeconfig goes even when its handler never reached its <c>finally</c> (abandoned after ignoring its token).</summary>
public sealed class PrivateKubeconfigCleanupTests
{
    [Fact]
    public void A_kubeconfig_whose_handler_was_abandoned_is_removed_when_the_runner_exits()
    {
        var kubeconfig = PrivateKubeconfig.Write("users: [{name: u, user: {token: secret}}]");
        var folder = Path.GetDirectoryName(kubeconfig.Path)!;
        Assert.True(File.Exists(kubeconfig.Path));

        PrivateTempFolders.DeleteAll(); // what Program does on its way out

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_disposed_kubeconfig_is_gone_at_once_and_a_later_clean_up_is_harmless()
    {
        var kubeconfig = PrivateKubeconfig.Write("users: []");
        kubeconfig.Dispose();

        Assert.False(File.Exists(kubeconfig.Path));
        PrivateTempFolders.DeleteAll();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_folder_is_readable_by_its_owner_only()
    {
        var folder = PrivateTempFolders.Create("deliverybot-test-");
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }
        finally
        {
            PrivateTempFolders.Delete(folder);
        }
    }
}
