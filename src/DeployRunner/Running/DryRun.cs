using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary><c>dry-run: true</c>: say what would happen, run nothing, post nothing.</summary>
public static class DryRun
{
    public static void Print(DeploymentPlan plan, IWorkflowLog log)
    {
        log.Info($"Dry run: {plan.Verb.ToLowerInvariant()} with the {plan.HandlerName} handler; nothing is run and no status is posted.");
        log.Info($"Timeout: {DeploymentReport.FormatDuration(plan.Timeout)}; working directory: {plan.WorkingDirectory}");
        log.Untrusted(
            $"Environment: {plan.Deployment.Environment}\nRef: {plan.Deployment.Ref}\nSHA: {plan.Deployment.Sha}\nTask: {plan.Deployment.Task}\n"
            + $"Script:\n{plan.Script ?? "(none)"}\n"
            + "Variables for the script:\n"
            + string.Join('\n', plan.DeploymentVariables.Select(v => $"  {v.Key}={v.Value}")));
        // Releases (issue 14): the phases, paths and pruning rule.
        foreach (var line in Handlers.Ssh.Releases.ReleaseDryRun.Describe(plan)) log.Untrusted(line);
    }
}
