using System.Collections.Concurrent;

namespace DeployRunner.ChildProcesses;

/// <summary>
/// Temp folders that may hold secrets (a private kubeconfig) or deployment data (the payload
/// file): created 0700, removed by their owner when done, and once more by the runner on its way
/// out (<see cref="DeleteAll"/>), which covers the paths where the owner never got to its
/// <c>finally</c>: a handler that ignored its token and was abandoned, a time-out.
/// Process-wide on purpose: the temp directory is, too.
/// </summary>
internal static class PrivateTempFolders
{
    private static readonly ConcurrentDictionary<string, byte> Live = new(StringComparer.Ordinal);

    /// <summary>A fresh folder (<c>CreateTempSubdirectory</c> makes it 0700 on Unix), registered for clean-up.</summary>
    public static string Create(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        Live[folder] = 0;
        return folder;
    }

    public static void Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Live.TryRemove(folder, out _);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A process that outlived its kill still holds a file: DeleteAll tries again on exit.
        }
    }

    /// <summary>Removes every folder still registered; called as the runner exits.</summary>
    public static void DeleteAll()
    {
        foreach (var folder in Live.Keys) Delete(folder);
    }
}
