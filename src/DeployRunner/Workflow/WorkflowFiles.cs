using System.Security.Cryptography;
using System.Text;

namespace DeployRunner.Workflow;

/// <summary>
/// The files the Actions runner reads after the step: <c>GITHUB_OUTPUT</c>, <c>GITHUB_STATE</c>
/// and <c>GITHUB_STEP_SUMMARY</c>. A path that is null (local runs) makes the write a no-op.
/// </summary>
internal sealed record WorkflowFiles(string? OutputPath, string? StatePath, string? SummaryPath)
{
    /// <summary>The runner refuses a step summary over 1 MiB.</summary>
    public const int MaxSummaryBytes = 1024 * 1024;

    public static readonly WorkflowFiles None = new(null, null, null);

    public Task SetOutputAsync(string name, string value, CancellationToken cancellationToken) =>
        AppendAsync(OutputPath, FormatKeyValue(name, value), cancellationToken);

    public Task SaveStateAsync(string name, string value, CancellationToken cancellationToken) =>
        AppendAsync(StatePath, FormatKeyValue(name, value), cancellationToken);

    public async Task AppendSummaryAsync(string markdown, CancellationToken cancellationToken)
    {
        if (SummaryPath is null) return;
        var existing = File.Exists(SummaryPath) ? new FileInfo(SummaryPath).Length : 0;
        var bytes = Encoding.UTF8.GetByteCount(markdown);
        if (existing + bytes > MaxSummaryBytes)
            markdown = "\n_The deployment summary was left out: it would pass the 1 MiB step-summary limit._\n";
        await AppendAsync(SummaryPath, markdown, cancellationToken);
    }

    /// <summary>
    /// <c>NAME=VALUE</c>, or the heredoc form with a random delimiter when the value has a line
    /// break (a delimiter that occurs in the value would end it early). LF only.
    /// </summary>
    public static string FormatKeyValue(string name, string value)
    {
        if (name.Contains('=') || name.Contains('\n') || name.Contains('\r'))
            throw new ArgumentException($"Invalid output name '{name}'.", nameof(name));

        if (!value.Contains('\n') && !value.Contains('\r'))
            return $"{name}={value}\n";

        string delimiter;
        do
        {
            delimiter = "ghadelimiter_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }
        while (value.Contains(delimiter, StringComparison.Ordinal));

        var normalized = value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return $"{name}<<{delimiter}\n{normalized}\n{delimiter}\n";
    }

    private static async Task AppendAsync(string? path, string text, CancellationToken cancellationToken)
    {
        if (path is null) return;
        await File.AppendAllTextAsync(path, text, new UTF8Encoding(false), cancellationToken);
    }
}
