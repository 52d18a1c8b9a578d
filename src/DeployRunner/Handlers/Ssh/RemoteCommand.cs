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
    /// Job control is on only for the one line that starts the script, with the supervisor's own
    /// stderr on /dev/null meanwhile: bash reports a job that ends while job control is on
    /// ("[1] Done bash ...", on stderr), and a short script can end before <c>set +m</c> runs.
    /// The script itself gets the real stderr (fd 4, closed in the script).
    /// </summary>
    public const string Supervisor = """
        exec 3<&0 </dev/null 4>&2 2>/dev/null
        set -m
        bash --noprofile --norc -e -o pipefail -c "$1" deploy-script 2>&4 4>&- &
        job=$!
        set +m
        exec 2>&4 4>&-
        { cat <&3; kill -TERM -- "-$job"; sleep 2; kill -KILL -- "-$job"; } >/dev/null 2>&1 &
        exec 3<&-
        stop() { kill -TERM -- "-$job" 2>/dev/null; exit 143; }
        trap stop TERM INT HUP
        wait "$job"
        """;

    /// <summary>The whole command text for the server's login shell (any POSIX shell).</summary>
    public static string Build(string script, IReadOnlyDictionary<string, string> variables) =>
        $"exec bash --noprofile --norc -c {Quote(Supervisor)} deploy-runner {Quote(ScriptWithExports(script, variables))}";

    /// <summary>
    /// The most a command may take in bytes. The whole text travels in one SSH <c>exec</c>
    /// request, and SSH.NET refuses to send a packet over its maximum (64 KiB of channel data plus
    /// 3,000 bytes: "Packet is too big"); this leaves room for the request's own fields.
    /// </summary>
    public const int MaxCommandBytes = 60 * 1024;

    /// <summary>
    /// As <see cref="Build"/>, with the deployment variables bounded so the command fits
    /// <see cref="MaxCommandBytes"/>: the largest are left out first, and named, as the shell
    /// handler does with the environment's limits (a script reads the whole payload from its own
    /// copy of the event instead). Only the script's own text can still make it too long, which
    /// the plan check refuses before any status.
    /// </summary>
    public static (string Command, IReadOnlyList<string> LeftOut) BuildWithin(string script, IReadOnlyDictionary<string, string> variables)
    {
        var sizes = variables
            .Where(v => VariableNamePattern().IsMatch(v.Key))
            .ToDictionary(v => v.Key, v => Encoding.UTF8.GetByteCount(Quote(ExportLine(v.Key, v.Value))), StringComparer.Ordinal);
        var total = Encoding.UTF8.GetByteCount(Build(script, new Dictionary<string, string>()));
        var budget = MaxCommandBytes - total;
        var leftOut = new List<string>();
        // Each line's share of the quoted whole is its own quoted size less the two outer quotes.
        var used = sizes.Values.Sum(size => (long)size - 2);
        foreach (var (name, size) in sizes.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            if (used <= budget) break;
            leftOut.Add(name);
            used -= size - 2;
        }

        var kept = variables.Where(v => !leftOut.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return (Build(script, kept), leftOut);
    }

    /// <summary>The warning naming the variables <see cref="BuildWithin"/> left out.</summary>
    public static string LeftOutWarning(string what, IReadOnlyList<string> leftOut) =>
        $"Left out of {what}'s environment, too big to pass in one SSH command (at most {MaxCommandBytes / 1024} KiB with the script): "
        + $"{string.Join(", ", leftOut.Take(20))}{(leftOut.Count > 20 ? $" and {leftOut.Count - 20} more" : "")}. Upload large values as a file instead.";

    /// <summary>Whether the script's own text fits one command, with 4 KiB left for the runner's own variables (<c>DEPLOY_PATH</c> and the like).</summary>
    public static bool Fits(string script) => Encoding.UTF8.GetByteCount(Build(script, new Dictionary<string, string>())) <= MaxCommandBytes - 4096;

    private static string ExportLine(string name, string value) =>
        // A NUL cannot live in a shell string (sshd would cut the command there): drop it.
        $"export {name}={Quote(value.Replace("\0", "", StringComparison.Ordinal))}\n";

    /// <summary><c>export NAME='value'</c> lines, then the user's script.</summary>
    public static string ScriptWithExports(string script, IReadOnlyDictionary<string, string> variables)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!VariableNamePattern().IsMatch(name)) continue;
            builder.Append(ExportLine(name, value));
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
