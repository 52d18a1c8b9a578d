using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace DeployRunner.TestKit;

/// <summary>How a run of the runner ended.</summary>
public sealed record RunnerResult(int ExitCode, IReadOnlyList<string> Lines, string Stdout, string Stderr)
{
    public string Log => Stdout + Stderr;

    /// <summary>Asserts the exit code, showing the whole log when it differs.</summary>
    public RunnerResult ShouldExitWith(int expected)
    {
        Assert.True(ExitCode == expected, $"Expected exit code {expected}, got {ExitCode}. Log:\n{Log}");
        return this;
    }
}

/// <summary>
/// A job sandbox laid out the way the Actions runner lays it out (workspace, event file,
/// GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY), and the built runner started in it as a
/// real process with a clean environment.
/// </summary>
public sealed class RunnerSandbox : IDisposable
{
    public RunnerSandbox(string eventJson, FakeGitHubApi? api = null)
    {
        Root = Directory.CreateTempSubdirectory("deploy-runner-test-").FullName;
        Workspace = Directory.CreateDirectory(Path.Combine(Root, "workspace")).FullName;
        var workflow = Directory.CreateDirectory(Path.Combine(Root, "workflow")).FullName;
        var fileCommands = Directory.CreateDirectory(Path.Combine(Root, "file_commands")).FullName;
        EventPath = Path.Combine(workflow, "event.json");
        OutputPath = Path.Combine(fileCommands, "set_output");
        StatePath = Path.Combine(fileCommands, "save_state");
        SummaryPath = Path.Combine(fileCommands, "step_summary");
        File.WriteAllText(EventPath, eventJson);
        foreach (var file in new[] { OutputPath, StatePath, SummaryPath }) File.WriteAllText(file, "");

        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName,
            ["GITHUB_ACTIONS"] = "true",
            ["CI"] = "true",
            ["GITHUB_EVENT_NAME"] = "deployment",
            ["GITHUB_EVENT_PATH"] = EventPath,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_REPOSITORY"] = "octocat/hello-world",
            ["GITHUB_RUN_ID"] = "777",
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_OUTPUT"] = OutputPath,
            ["GITHUB_STATE"] = StatePath,
            ["GITHUB_STEP_SUMMARY"] = SummaryPath,
            ["ACTIONS_RUNTIME_TOKEN"] = "runtime-token-must-not-leak",
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "id-token-must-not-leak",
        };
        // Defaults the Actions runner fills in from action.yml.
        foreach (var (name, value) in ActionMetadata.DefaultVariables(CoreInputs)) Environment[name] = value;
        foreach (var name in new[] { "DOTNET_ROOT", "DOTNET_CLI_HOME", "SSL_CERT_FILE" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value) Environment[name] = value;
        }

        if (api is not null)
        {
            Environment["GITHUB_API_URL"] = api.BaseUrl;
            Environment["INPUT_TOKEN"] = Token;
        }
    }

    public const string Token = "ghs_testtoken0123456789abcdefghijklmnopqrstu";

    /// <summary>The core inputs a sandbox starts with at their action.yml defaults.</summary>
    public static readonly string[] CoreInputs = ["handler", "timeout", "dry-run", "config", "payload-overrides", "skip-superseded", "deployment-id"];

    public string Root { get; }

    public string Workspace { get; }

    public string EventPath { get; }

    public string OutputPath { get; }

    public string StatePath { get; }

    public string SummaryPath { get; }

    /// <summary>The variables the runner process gets; nothing else is inherited.</summary>
    public Dictionary<string, string> Environment { get; }

    /// <summary>Sets an input as the Actions runner passes it: INPUT_ + the upper-cased name, hyphens kept.</summary>
    public RunnerSandbox Input(string name, string value)
    {
        Environment["INPUT_" + name.ToUpperInvariant()] = value;
        return this;
    }

    /// <summary>Sets GITHUB_EVENT_NAME (the sandbox starts as a <c>deployment</c> event).</summary>
    public RunnerSandbox WithEventName(string name)
    {
        Environment["GITHUB_EVENT_NAME"] = name;
        return this;
    }

    public string WriteWorkspaceFile(string relativePath, string content, bool executable = false)
    {
        var path = Path.Combine(Workspace, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (executable) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The outputs the step left in GITHUB_OUTPUT, heredoc form included.</summary>
    public IReadOnlyDictionary<string, string> Outputs() => KeyValueFile.Parse(File.ReadAllText(OutputPath));

    public IReadOnlyDictionary<string, string> State() => KeyValueFile.Parse(File.ReadAllText(StatePath));

    public string Summary() => File.ReadAllText(SummaryPath);

    public Task<RunnerResult> RunAsync(params string[] arguments) => RunAsync(TimeSpan.FromSeconds(60), arguments);

    public async Task<RunnerResult> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        return await process.WaitAsync(timeout);
    }

    public RunningRunner Start(params string[] arguments) => RunningRunner.Start(Environment, Workspace, arguments);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding a file: the temp folder is cleaned up by the OS later.
        }
    }
}

/// <summary>The runner as a live process: read its output as it comes, signal it, wait for it.</summary>
public sealed class RunningRunner : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    private RunningRunner(Process process) => _process = process;

    /// <summary>The built runner, next to the test assembly through the project reference.</summary>
    public static string RunnerDll => Path.Combine(AppContext.BaseDirectory, "DeployRunner.dll");

    public int Pid => _process.Id;

    public static RunningRunner Start(IReadOnlyDictionary<string, string> environment, string workingDirectory, IReadOnlyList<string> arguments)
    {
        // DEPLOYRUNNER_BINARY runs these tests against another build of the runner: tests/run.sh
        // runs them a second time against the Native AOT binary the image ships.
        var binary = System.Environment.GetEnvironmentVariable("DEPLOYRUNNER_BINARY");
        var info = new ProcessStartInfo(string.IsNullOrEmpty(binary) ? "dotnet" : Path.GetFullPath(binary))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(binary)) info.ArgumentList.Add(RunnerDll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment.Clear();
        foreach (var (name, value) in environment) info.Environment[name] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var runner = new RunningRunner(process);
        process.OutputDataReceived += (_, e) => runner.Append(e.Data, runner._stdout);
        process.ErrorDataReceived += (_, e) => runner.Append(e.Data, runner._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return _lines.ToList(); }
    }

    public async Task WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.Any(predicate)) return;
            if (_process.HasExited) break;
            await Task.Delay(20);
        }

        throw new TimeoutException($"Expected line not printed within {timeout.TotalSeconds} s. Output so far:\n{string.Join('\n', Lines)}");
    }

    /// <summary>Sends a POSIX signal, as the Actions runner does on cancel (SIGINT, then SIGTERM).</summary>
    public void Signal(int signal)
    {
        // A process inherits ignored signals: tests started in the background by a non-interactive
        // shell (`cmd &`, nohup) run every runner with SIGINT ignored, and each signal test would
        // fail as a runner that never stops. Say so instead.
        if (signal is SIGINT or SIGTERM && IgnoredSignals(_process.Id) is { } ignored && (ignored & (1UL << (signal - 1))) != 0)
        {
            throw new InvalidOperationException(
                $"The runner process ignores signal {signal}, inherited from the test run (SigIgn {ignored:x}): the tests were started in the background without job control (`cmd &` in a script, nohup). "
                + "Start them in the foreground, or from a shell with job control (set -m).");
        }

        if (kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The process's ignored-signal mask (bit n-1 for signal n), from /proc; null when unknown.</summary>
    private static ulong? IgnoredSignals(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is null ? null : Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public async Task<RunnerResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The runner did not exit within {timeout.TotalSeconds} s. Output:\n{string.Join('\n', Lines)}");
        }

        // Let the asynchronous readers drain.
        _process.WaitForExit();
        lock (_gate) return new RunnerResult(_process.ExitCode, _lines.ToList(), _stdout.ToString(), _stderr.ToString());
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null) return;
        lock (_gate)
        {
            _lines.Add(line);
            stream.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }

        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>Reads GITHUB_OUTPUT / GITHUB_STATE files: NAME=VALUE and NAME&lt;&lt;DELIM ... DELIM.</summary>
public static class KeyValueFile
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (heredoc > 0 && (equals < 0 || heredoc < equals))
            {
                var name = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                var body = new List<string>();
                while (++i < lines.Length && lines[i] != delimiter) body.Add(lines[i]);
                if (i >= lines.Length) throw new FormatException($"Heredoc for '{name}' is not closed by '{delimiter}'.");
                values[name] = string.Join('\n', body);
            }
            else if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
            else
            {
                throw new FormatException($"Not a NAME=VALUE line: '{line}'.");
            }
        }

        return values;
    }
}
