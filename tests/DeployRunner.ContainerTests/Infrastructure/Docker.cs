using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;

namespace DeployRunner.ContainerTests.Infrastructure;

/// <summary>The docker CLI, run as a real process against the engine tests/run.sh starts.</summary>
public static class Docker
{
    public static async Task<BufferedCommandResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var command = Cli.Wrap("docker").WithArguments(arguments).WithValidation(CommandResultValidation.None);
        if (environment is not null) command = command.WithEnvironmentVariables(environment);
        return await command.ExecuteBufferedAsync(cancellationToken);
    }

    public static async Task<string> CheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await RunAsync(list, null, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker {string.Join(' ', list)} exited with {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Fails with a clear message when there is no engine: the container tests need one.</summary>
    public static async Task RequireEngineAsync()
    {
        BufferedCommandResult result;
        try
        {
            result = await RunAsync(["info", "--format", "{{.ServerVersion}}"]);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"The docker CLI is missing ({e.Message}). Run tests/run.sh, which installs docker.io and starts an engine.");
        }

        if (result.ExitCode != 0)
            throw new InvalidOperationException($"No Docker engine answers (`docker info`: {result.StandardError.Trim()}). Run tests/run.sh, or tests/infra/docker-engine.sh to start one.");
    }

    /// <summary>Whether a container with this name still exists (running or not).</summary>
    public static async Task<bool> ContainerExistsAsync(string name)
    {
        var result = await RunAsync(["ps", "-a", "-q", "--filter", $"name=^{name}$"]);
        return result.StandardOutput.Trim().Length > 0;
    }

    public static async Task WaitUntilGoneAsync(string name, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (await ContainerExistsAsync(name))
        {
            if (watch.Elapsed > timeout) throw new TimeoutException($"Container {name} still exists after {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }
}
