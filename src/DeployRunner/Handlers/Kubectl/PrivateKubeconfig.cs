using DeployRunner.ChildProcesses;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The kubeconfig on disk for kubectl and the user's scripts: a file readable by its owner only
/// (0600) in a fresh folder (0700) that also holds kubectl's discovery cache. Disposing deletes
/// the folder; the handler does that in a <c>finally</c>, so a failure or a cancel (kubectl is
/// stopped before the handler returns) removes it too.
/// </summary>
internal sealed class PrivateKubeconfig : IDisposable
{
    private readonly string _folder;

    private PrivateKubeconfig(string folder)
    {
        _folder = folder;
        Path = System.IO.Path.Combine(folder, "kubeconfig");
        CacheDirectory = System.IO.Path.Combine(folder, "cache");
    }

    public string Path { get; }

    public string CacheDirectory { get; }

    public static PrivateKubeconfig Write(string text)
    {
        // 0700, and removed by the runner on exit even if this handler is abandoned.
        var folder = PrivateTempFolders.Create("deliverybot-kubectl-");
        var kubeconfig = new PrivateKubeconfig(folder);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(kubeconfig.Path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }
        catch
        {
            kubeconfig.Dispose();
            throw;
        }

        return kubeconfig;
    }

    public void Dispose() => PrivateTempFolders.Delete(_folder);
}
