using System.Security.Cryptography;
using System.Text;

namespace DeployRunner.Workflow;

/// <summary>
/// Formatting of workflow commands, as the Actions runner parses them
/// (actions/runner ActionCommand.cs; actions/toolkit core/command.ts).
/// </summary>
internal static class WorkflowCommands
{
    /// <summary>Message data: <c>%</c> first, then CR and LF.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>Property values additionally escape <c>:</c> and <c>,</c>.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    public static string Format(string command, string message, IReadOnlyList<(string Name, string Value)>? properties = null)
    {
        var builder = new StringBuilder("::").Append(command);
        if (properties is { Count: > 0 })
        {
            builder.Append(' ');
            builder.AppendJoin(',', properties.Select(p => $"{p.Name}={EscapeProperty(p.Value)}"));
        }

        return builder.Append("::").Append(EscapeData(message)).ToString();
    }

    /// <summary>A token nobody can guess, to close a <c>::stop-commands::</c> block.</summary>
    public static string NewStopToken() => "deploy-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
