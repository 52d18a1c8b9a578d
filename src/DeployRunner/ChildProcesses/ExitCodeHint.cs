namespace DeployRunner.ChildProcesses;

/// <summary>What bash's two "could not even start it" exit codes usually mean, as a hint after a failure.</summary>
internal static class ExitCodeHint
{
    /// <summary>A sentence to append to a failure reason (with a leading space), or "" for other codes.</summary>
    public static string For(int? exitCode) => exitCode switch
    {
        127 => " Exit code 127 means a command was not found: run a file from the repository as ./deploy.sh (or bash deploy.sh), check it is checked out, and that the program exists where the script runs.",
        126 => " Exit code 126 means a file is not executable: `chmod +x` it and commit the mode (`git update-index --chmod=+x FILE`), or run it as bash FILE.",
        _ => "",
    };
}
