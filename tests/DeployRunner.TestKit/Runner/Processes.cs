namespace DeployRunner.TestKit;

/// <summary>Looks at this machine's live processes through /proc.</summary>
public static class Processes
{
    /// <summary>Process ids whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllText(Path.Combine(dir, "stat"));
                // A zombie is dead already; it only waits for its parent to reap it.
                var isZombie = state.LastIndexOf(')') is var close and > 0 && state.Length > close + 2 && state[close + 2] == 'Z';
                if (!isZombie && cmdline.Contains(marker, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Waits (bounded) until no process matches; returns those still alive at the end.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilGoneAsync(string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<int> alive;
        do
        {
            alive = WithCommandLineContaining(marker);
            if (alive.Count == 0) return alive;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return alive;
    }
}
