using System.Text;
using System.Text.RegularExpressions;

namespace DeployRunner.Handlers.Ssh;

/// <summary>
/// The command line sent to each server. Values reach the script as single-quoted <c>export</c>
/// lines ahead of it (sshd drops most names a client sends with <c>env</c> requests, see
/// <c>AcceptEnv</c>), and the script runs under a small supervisor that makes sure no remote
/// process outlives the deployment.
/// </summary>
internal static partial class RemoteCommand
{
    /// <summary>
    /// Runs as <c>bash -c SUPERVISOR deploy-runner SCRIPT</c> on the server. It starts the script
    /// (<c>bash -e -o pipefail</c>, stdin from /dev/null) in a process group of its own (<c>set -m</c>),
    /// and kills that whole group when
    /// <list type="bullet">
    /// <item>the channel's stdin reaches end of file: the runner closed the channel, was cancelled,
    /// or lost the connection (sshd does not kill a session's processes when its channel closes);</item>
    /// <item>sshd delivers a <c>signal</c> request (SSH.NET's <c>CancelAsync</c>) or a hang-up.</item>
    /// </list>
    /// TERM first, KILL two seconds later for a script that ignores TERM. The runner never sends
    /// EOF on stdin while the script runs, so a normal run is not disturbed.
    /// </summary>
    public const string Supervisor = """
        exec 3<&0 </dev/null
        set -m
        bash --noprofile --norc -e -o pipefail -c "$1" deploy-script &
        job=$!
        { cat <&3; kill -TERM -- "-$job"; sleep 2; kill -KILL -- "-$job"; } >/dev/null 2>&1 &
        set +m
        exec 3<&-
        stop() { kill -TERM -- "-$job" 2>/dev/null; exit 143; }
        trap stop TERM INT HUP
        wait "$job"
        """;

    /// <summary>The whole command text for the server's login shell (any POSIX shell).</summary>
    public static string Build(string script, IReadOnlyDictionary<string, string> variables) =>
        $"exec bash --noprofile --norc -c {Quote(Supervisor)} deploy-runner {Quote(ScriptWithExports(script, variables))}";

    /// <summary><c>export NAME='value'</c> lines, then the user's script.</summary>
    public static string ScriptWithExports(string script, IReadOnlyDictionary<string, string> variables)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!VariableNamePattern().IsMatch(name)) continue;
            // A NUL cannot live in a shell string (sshd would cut the command there): drop it.
            builder.Append("export ").Append(name).Append('=').Append(Quote(value.Replace("\0", "", StringComparison.Ordinal))).Append('\n');
        }

        return builder.Append(script).ToString();
    }

    /// <summary>
    /// POSIX single quoting: inside '...' every byte is literal except the quote itself, which
    /// becomes <c>'\''</c> (close, escaped quote, reopen). Newlines, <c>$(...)</c> and backticks
    /// stay plain text.
    /// </summary>
    public static string Quote(string value) => "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableNamePattern();
}
