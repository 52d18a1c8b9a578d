using System.Diagnostics;

namespace DeployRunner.IntegrationTests.ChatOps;

/// <summary>
/// A real git repository as a checkout's <c>origin</c>: a bare repository (served over
/// <c>file://</c>, fetchable by SHA as GitHub is) and a clone of its default branch as the
/// workspace, the way actions/checkout leaves an <c>issue_comment</c> job. Commits are made with
/// the real git binary; CI without git fails here with a clear message.
/// </summary>
public sealed class GitOrigin
{
    private readonly string _bare;
    private readonly string _work;

    private GitOrigin(string root)
    {
        _bare = Path.Combine(root, "origin.git");
        _work = Path.Combine(root, "authoring");
    }

    public string Url => "file://" + _bare;

    /// <summary>A bare origin whose <c>master</c> holds one commit with <paramref name="files"/>.</summary>
    public static GitOrigin Create(string root, IReadOnlyDictionary<string, string> files)
    {
        var origin = new GitOrigin(root);
        Git(root, "init", "--quiet", "--bare", "--initial-branch=master", origin._bare);
        // GitHub serves any commit by SHA; a plain bare repository serves only advertised refs.
        Git(origin._bare, "config", "uploadpack.allowAnySHA1InWant", "true");
        Git(root, "clone", "--quiet", origin.Url, origin._work);
        origin.Commit("master", files, "first commit");
        return origin;
    }

    /// <summary>Commits the files on <paramref name="branch"/> (created from master when new), pushes it, and returns the commit's SHA.</summary>
    public string Commit(string branch, IReadOnlyDictionary<string, string> files, string message)
    {
        var branches = Git(_work, "branch", "--list", branch).Trim();
        var hasCommits = Git(_work, ["rev-parse", "--verify", "--quiet", "HEAD"], allowFailure: true).Length > 0;
        if (!hasCommits) Git(_work, "checkout", "--quiet", "-B", branch);
        else if (branches.Length == 0) Git(_work, "checkout", "--quiet", "-b", branch, "master");
        else Git(_work, "checkout", "--quiet", branch);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(_work, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            // A script is committed executable, as it is in a real repository.
            if (path.EndsWith(".sh", StringComparison.Ordinal)) File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        Git(_work, "add", "--all");
        Git(_work, "commit", "--quiet", "-m", message);
        Git(_work, "push", "--quiet", "origin", branch);
        return Git(_work, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Clones master into the (empty) workspace, as actions/checkout does for an issue_comment workflow.</summary>
    public void CloneInto(string workspace)
    {
        Git(Path.GetDirectoryName(workspace)!, "clone", "--quiet", "--branch", "master", Url, workspace);
    }

    /// <summary>The commit a checkout holds.</summary>
    public static string Head(string workspace) => Git(workspace, "rev-parse", "HEAD").Trim();

    public static string Git(string directory, params string[] arguments) => Git(directory, arguments, allowFailure: false);

    private static string Git(string directory, string[] arguments, bool allowFailure)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("git is not installed: the comment-command tests need the real git binary (apt-get install git).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000)) throw new TimeoutException($"git {string.Join(' ', arguments)} took over 60 s");
            if (process.ExitCode != 0 && !allowFailure)
                throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result}");
            return process.ExitCode == 0 ? output.Result : "";
        }
    }
}
