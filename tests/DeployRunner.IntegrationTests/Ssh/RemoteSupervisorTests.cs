using System.Diagnostics;
using DeployRunner.Handlers.Ssh;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>
/// The remote supervisor (<see cref="RemoteCommand.Supervisor"/>) run by real bash exactly as a
/// server's login shell runs the command text, stdin held open as the SSH channel holds it.
/// </summary>
public sealed class RemoteSupervisorTests
{
    [Fact(Timeout = 180_000)]
    public async Task A_script_that_ends_at_once_adds_no_job_control_line_to_its_output_in_200_runs()
    {
        var command = RemoteCommand.Build("true", new Dictionary<string, string>());
        var stray = new List<string>();
        for (var run = 0; run < 200; run++)
        {
            var (exitCode, output) = await RunAsync(command);
            Assert.Equal(0, exitCode);
            if (output.Length > 0) stray.Add(output);
        }

        // Before: "[1]+  Done  bash --noprofile ..." in about a third of the runs.
        Assert.True(stray.Count == 0, $"{stray.Count} of 200 runs printed: {stray.FirstOrDefault()}");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_script_keeps_its_stderr_and_exit_code_and_sees_no_extra_descriptor()
    {
        // `ls` alone, not in a pipeline: a pipeline's own pipe is open in the script's shell
        // until both sides have started, and an `ls` that runs first (under load) lists it.
        var command = RemoteCommand.Build("echo to-stderr >&2; ls /proc/$$/fd >&2; exit 7", new Dictionary<string, string>());

        var (exitCode, output) = await RunAsync(command);

        Assert.Equal(7, exitCode);
        var lines = output.Split('\n');
        Assert.Equal("to-stderr", lines[0]);
        Assert.Contains("2", lines);
        Assert.DoesNotContain("4", lines[1..]);
    }

    /// <summary>
    /// Closes every descriptor above 2 that the test host let through, then runs the command: sshd
    /// starts a login shell with only 0, 1 and 2, while a child of the test host can inherit a
    /// descriptor another test was opening at that moment (seen under load), which is not the
    /// supervisor's doing. (No redirection on the loop: bash would keep a copy of fd 2 open for
    /// it, the loop would close that copy, and stderr would be lost.)
    /// </summary>
    private const string LikeSshd =
        "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done; exec bash --noprofile --norc -c \"$1\"";

    /// <summary>bash -c COMMAND with stdin open until the command's own process ends, stdout and stderr together.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-c", LikeSshd, "bash", command])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = (await stdout + await stderr).Trim();
        process.StandardInput.Close();
        return (process.ExitCode, output);
    }
}
