using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// <c>dry-run: true</c>: the whole plan (what would run, where, in what order, with what, and
/// the URL), after every check that touches no target; nothing is run and nothing is posted.
/// </summary>
internal static class DryRun
{
    public static async Task PrintAsync(PreparedDeployment prepared, IWorkflowLog log, CancellationToken cancellationToken)
    {
        var plan = prepared.Plan;
        // The handler's checks come first: a problem is one error, not half a plan.
        var handlerPlan = await prepared.Handler.DescribeAsync(plan, cancellationToken);
        var nothingToRun = prepared.Handler.HasNothingToRun(plan);

        log.Info($"Dry run: {plan.Verb.ToLowerInvariant()} with the {plan.HandlerName} handler; nothing is run and no status is posted.");
        log.Info($"Timeout: {DurationText.Format(plan.Timeout)}; working directory: {plan.WorkingDirectory}");
        log.Untrusted(
            $"Environment: {plan.Deployment.Environment}\nRef: {plan.Deployment.Ref}\nSHA: {plan.Deployment.Sha}\nTask: {plan.Deployment.Task}\n"
            + $"Environment URL: {plan.EnvironmentUrl ?? "(none: input `environment-url` is empty)"}\n"
            + (nothingToRun ? "Input `remove-script` is empty: nothing would run; the environment would only be marked inactive.\n" : "")
            + (handlerPlan.Count == 0 ? "" : string.Join('\n', handlerPlan) + "\n")
            + ScriptSection(plan, prepared.Handler.RunsScript(plan))
            + "Variables for the script:\n"
            + string.Join('\n', plan.DeploymentVariables.Select(v => $"  {v.Key}={v.Value}")));
        // What the handler's own settings add: kubectl's atomic rollback, the ssh releases' phases.
        foreach (var note in prepared.Handler.DryRunNotes(plan))
        {
            if (note.Untrusted) log.Untrusted(note.Text);
            else log.Info(note.Text);
        }
    }

    /// <summary>The script, when it runs; a script the task does not run is named, not printed as if it would run.</summary>
    private static string ScriptSection(DeploymentPlan plan, bool runs)
    {
        var label = plan.IsRemoval ? "Remove-script" : "Script";
        if (plan.Script is null) return $"{label}:\n(none)\n";
        return runs
            ? $"{label}:\n{plan.Script}\n"
            : $"{label}: not run: the {plan.HandlerName} handler's {plan.Deployment.Task} task goes back without it.\n";
    }
}
