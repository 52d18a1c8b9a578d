using System.Globalization;
using System.Text;
using System.Text.Json;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>What the step leaves behind: outputs and the step summary.</summary>
internal static class DeploymentReport
{
    public static string ResultsJson(IReadOnlyList<TargetResult> targets) =>
        JsonSerializer.Serialize(
            targets.Select(t => new TargetResultJson(t.Target, t.Result, t.ExitCode, Math.Round(t.Duration.TotalSeconds, 3), t.Reason)).ToList(),
            ReportJsonContext.Default.ListTargetResultJson);

    public static string StepSummary(DeploymentPlan plan, DeploymentState finalState, HandlerResult result, TimeSpan duration)
    {
        var builder = new StringBuilder();
        var icon = finalState is DeploymentState.Success or DeploymentState.Inactive ? "✅" : "❌";
        builder.AppendLine(CultureInfo.InvariantCulture, $"### {icon} {MarkdownText.Cell(plan.Verb)} {MarkdownText.Cell(plan.Deployment.Environment)}: {finalState.ToApiName()}");
        builder.AppendLine();
        builder.AppendLine("| | |");
        builder.AppendLine("| --- | --- |");
        Row(builder, "Environment", MarkdownText.Cell(plan.Deployment.Environment));
        Row(builder, "Ref", MarkdownText.Cell(plan.Deployment.Ref));
        Row(builder, "SHA", $"`{MarkdownText.Cell(plan.ShortSha).Replace("`", "", StringComparison.Ordinal)}`");
        Row(builder, "Task", MarkdownText.Cell(plan.Deployment.Task));
        Row(builder, "Handler", plan.HandlerName);
        Row(builder, "Result", $"{finalState.ToApiName()}: {MarkdownText.Cell(result.Reason)}");
        Row(builder, "Duration", DurationText.Format(duration));
        if (plan.EnvironmentUrl is not null && finalState == DeploymentState.Success)
            Row(builder, "URL", $"<{plan.EnvironmentUrl.Replace(">", "%3E", StringComparison.Ordinal)}>");

        if (result.ListTargets && result.Targets.Count > 0)
        {
            builder.AppendLine();
            builder.AppendLine("| Target | Result | Exit code | Duration | Reason |");
            builder.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var target in result.Targets)
            {
                builder.AppendLine(CultureInfo.InvariantCulture,
                    $"| {MarkdownText.Cell(target.Target)} | {MarkdownText.Cell(target.Result)} | {target.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? ""} | {DurationText.Format(target.Duration)} | {MarkdownText.Cell(target.Reason)} |");
            }
        }

        builder.AppendLine();
        return builder.ToString();
    }

    private static void Row(StringBuilder builder, string name, string value) =>
        builder.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");
}
