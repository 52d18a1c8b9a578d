namespace DeployRunner.ChildProcesses;

/// <summary>
/// The programs a handler starts on this machine, checked before anything runs, so a missing one
/// is one clear error instead of a process-start failure halfway through a deployment. The
/// action's image has them all; a local run uses the machine's own.
/// </summary>
internal static class Prerequisites
{
    /// <summary>What each program is for and where it comes from, for the error message.</summary>
    private static readonly Dictionary<string, string> HowToGet = new(StringComparer.Ordinal)
    {
        ["bash"] = "scripts run with bash; install bash",
        ["setsid"] = "scripts start in their own process group so that a stop reaches all of them; `setsid` comes with util-linux (Debian/Ubuntu: `apt-get install util-linux`). The runner runs on Linux only",
        ["kubectl"] = "the kubectl handler drives the real kubectl; install it (https://kubernetes.io/docs/tasks/tools/)",
    };

    /// <summary>Throws a <see cref="ConfigurationException"/> naming every program of <paramref name="programs"/> that is not on PATH.</summary>
    public static void Require(string handlerName, IReadOnlyDictionary<string, string> environment, params string[] programs)
    {
        var missing = programs.Where(program => Find(program, environment) is null).ToList();
        if (missing.Count == 0) return;
        throw new ConfigurationException(
            $"The {handlerName} handler needs {string.Join(" and ", missing.Select(m => $"`{m}`"))} on PATH, which this machine lacks: "
            + string.Join("; ", missing.Select(m => HowToGet.GetValueOrDefault(m, $"install {m}")))
            + ". The action's image has everything it needs; a local run uses this machine's programs.");
    }

    /// <summary>The full path of an executable file named <paramref name="program"/> in a PATH folder, or null.</summary>
    public static string? Find(string program, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var folder in (environment.GetValueOrDefault("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                return candidate;
        }

        return null;
    }
}
