using System.Globalization;

namespace DeployRunner.Workflow;

/// <summary>A duration as the log, the statuses and the step summary write it: <c>4.2 s</c>, <c>3 min 5 s</c>.</summary>
internal static class DurationText
{
    public static string Format(TimeSpan duration) => duration.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds} s");
}
