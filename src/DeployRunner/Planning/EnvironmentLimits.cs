using System.Text;

namespace DeployRunner.Planning;

/// <summary>
/// What fits in a process's environment on Linux. One <c>NAME=VALUE</c> string may not pass
/// 128 KiB (<c>MAX_ARG_STRLEN</c>), and the arguments and environment together share about 2 MiB
/// (a quarter of the 8 MiB stack); past either, <c>execve</c> fails with <c>E2BIG</c> and the
/// script never starts. Deployment variables that would not fit are left out, with a warning that
/// names them; the whole payload is always in the file <c>DEPLOY_PAYLOAD_FILE</c> names.
/// https://man7.org/linux/man-pages/man2/execve.2.html (Limits on size of arguments and environment)
/// </summary>
internal static class EnvironmentLimits
{
    /// <summary>Bytes of one <c>NAME=VALUE</c> plus its terminating NUL.</summary>
    public const int MaxVariableBytes = 128 * 1024;

    /// <summary>Bytes of all deployment variables together, leaving the rest of the 2 MiB to the job's own environment and the arguments.</summary>
    public const int MaxTotalBytes = 1024 * 1024;

    public static int Size(string name, string value) => Encoding.UTF8.GetByteCount(name) + 1 + Encoding.UTF8.GetByteCount(value) + 1;

    /// <summary>
    /// The variables that fit, and the names of those left out: first every variable over
    /// <see cref="MaxVariableBytes"/>, then the largest of the rest until the total fits.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Kept, IReadOnlyList<string> LeftOut) Fit(IReadOnlyDictionary<string, string> variables)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        var leftOut = new List<string>();
        foreach (var (name, value) in variables)
        {
            if (Size(name, value) > MaxVariableBytes) leftOut.Add(name);
            else kept[name] = value;
        }

        var total = kept.Sum(v => (long)Size(v.Key, v.Value));
        foreach (var (name, value) in kept.OrderByDescending(v => Size(v.Key, v.Value)).ThenBy(v => v.Key, StringComparer.Ordinal).ToList())
        {
            if (total <= MaxTotalBytes) break;
            total -= Size(name, value);
            kept.Remove(name);
            leftOut.Add(name);
        }

        leftOut.Sort(StringComparer.Ordinal);
        return (kept, leftOut);
    }
}
