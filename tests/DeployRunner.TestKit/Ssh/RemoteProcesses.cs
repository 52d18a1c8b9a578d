namespace DeployRunner.TestKit;

/// <summary>
/// The test servers run on this machine, so "no remote process is left" can be checked in /proc:
/// the scripts write their pids to a file, and each must be gone (a zombie counts as gone).
/// </summary>
public static class RemoteProcesses
{
    public static async Task AssertGoneAsync(string pidFile, TimeSpan within)
    {
        var pids = File.ReadAllLines(pidFile).Select(int.Parse).ToList();
        Assert.NotEmpty(pids);
        var deadline = DateTime.UtcNow + within;
        while (pids.Any(IsAlive) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(!pids.Any(IsAlive), $"remote processes still running: {string.Join(", ", pids.Where(IsAlive))}");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
