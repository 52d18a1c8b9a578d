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
        var command = RemoteCommand.Build("echo to-stderr >&2; ls /proc/$$/fd | tr '\\n' ' ' >&2; exit 7", new Dictionary<string, string>());

        var (exitCode, output) = await RunAsync(command);

        Assert.Equal(7, exitCode);
        Assert.Contains("to-stderr", output);
        Assert.DoesNotContain(" 4 ", " " + output.Split('\n')[1]);
    }

    /// <summary>bash -c COMMAND with stdin open until the command's own process ends, stdout and stderr together.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-c", command])
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
