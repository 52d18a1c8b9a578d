using System.Diagnostics;
using System.Text;

namespace DeployRunner.ChatOps;

/// <summary>
/// Makes the workspace hold exactly the commit a command resolved, before any handler runs.
/// An <c>issue_comment</c> workflow checks out the default branch; the runner checks the
/// workspace's HEAD and, when it is another commit, fetches that one SHA from the checkout's
/// own <c>origin</c> (actions/checkout leaves its credentials in the workspace's .git config)
/// and checks it out detached. git runs with arguments, never through a shell, with a
/// scrubbed environment (no token, no INPUT_*, no prompts) and a time bound.
/// </summary>
internal sealed class WorkspaceCommit(string workspace, string? path)
{
    /// <summary>How long each git command may take: a fetch of one commit at depth 1.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>How much of git's output is kept for a message.</summary>
    private const int MaxOutput = 4096;

    /// <summary>
    /// Null when the workspace now holds <paramref name="sha"/> (it did, or was checked out),
    /// otherwise why not, in one sentence for the reply and the log.
    /// </summary>
    public async Task<string?> EnsureAsync(string sha, Action<string> info, CancellationToken cancellationToken)
    {
        var head = await RunAsync(["rev-parse", "--verify", "HEAD^{commit}"], cancellationToken);
        if (head.ExitCode != 0)
            return $"the workspace is not a git checkout (git rev-parse HEAD: {head.Summary}). Add actions/checkout before the runner's step.";
        if (string.Equals(head.Output.Trim(), sha, StringComparison.OrdinalIgnoreCase))
        {
            info($"The workspace already holds commit {sha}.");
            return null;
        }

        info($"The workspace holds {Short(head.Output.Trim())}; fetching commit {sha} from origin and checking it out.");
        var fetch = await RunAsync(["fetch", "--no-tags", "--depth=1", "origin", sha], cancellationToken);
        if (fetch.ExitCode != 0)
            return $"could not fetch commit {sha} into the workspace (git fetch: {fetch.Summary}). Check that actions/checkout ran with its default `persist-credentials: true`.";
        var checkout = await RunAsync(["checkout", "--detach", "--force", sha], cancellationToken);
        if (checkout.ExitCode != 0)
            return $"could not check out commit {sha} in the workspace (git checkout: {checkout.Summary}).";
        var now = await RunAsync(["rev-parse", "--verify", "HEAD^{commit}"], cancellationToken);
        return now.ExitCode == 0 && string.Equals(now.Output.Trim(), sha, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"after the checkout the workspace holds {Short(now.Output.Trim())}, not {sha}.";
    }

    private static string Short(string text) => new(text.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <param name="Output">What git printed on stdout (a SHA for rev-parse).</param>
    /// <param name="Errors">What it printed on stderr, for the message.</param>
    private sealed record GitResult(int ExitCode, string Output, string Errors = "")
    {
        public string Summary => ExitCode switch
        {
            -1 => $"timed out after {Timeout.TotalSeconds:0} s",
            -2 => "git is not installed",
            _ => $"exit {ExitCode}: {Short((Errors.Trim().Length > 0 ? Errors : Output).Trim().Split('\n').LastOrDefault() ?? "")}",
        };

        private static string Short(string text) => new(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }

    private async Task<GitResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("git")
        {
            WorkingDirectory = workspace,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The job's environment stays out (GITHUB_TOKEN, INPUT_*, GIT_* that could redirect the
        // repository); the workspace may belong to another user than the container's root, which
        // git refuses unless the directory is named safe on the command line.
        startInfo.Environment.Clear();
        if (path is not null) startInfo.Environment["PATH"] = path;
        startInfo.Environment["GIT_TERMINAL_PROMPT"] = "0";
        startInfo.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        startInfo.Environment["LC_ALL"] = "C";
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"safe.directory={workspace}");
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new GitResult(-2, "");
        }

        process.StandardInput.Close();
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var stdout = ReadBoundedAsync(process.StandardOutput, output);
        var stderr = ReadBoundedAsync(process.StandardError, errors);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return new GitResult(-1, "");
        }

        await Task.WhenAll(stdout, stderr);
        return new GitResult(process.ExitCode, output.ToString(), errors.ToString());
    }

    private static async Task ReadBoundedAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[1024];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                if (into.Length < MaxOutput) into.Append(buffer, 0, Math.Min(read, MaxOutput - into.Length));
            }
        }
    }
}
