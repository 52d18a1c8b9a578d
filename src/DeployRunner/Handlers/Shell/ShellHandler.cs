using CliWrap;
using DeployRunner.ChildProcesses;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Shell;

/// <summary>
/// Runs the deployment's script on this machine with bash (<c>-e</c>, <c>pipefail</c>), in the
/// working directory, with the job's environment minus the runner's secrets plus <c>DEPLOY_*</c>.
/// </summary>
internal sealed class ShellHandler(HandlerContext context) : IDeploymentHandler
{
    public bool HasNothingToRun(DeploymentPlan plan) => plan.Script is null;

    /// <summary>Every task runs the script, a rollback too (with DEPLOY_TASK=rollback).</summary>
    public bool RunsScript(DeploymentPlan plan) => plan.Script is not null;

    /// <summary>The script and working directory are core settings, checked by the planner: nothing of the shell's own.</summary>
    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
    }

    /// <summary>The dry run's plan already shows the script, its folder and its variables: that is all a shell run is.</summary>
    public Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) => [];

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Script is null)
            return HandlerResult.Succeeded(plan.IsRemoval ? "No remove-script: nothing to tear down." : "No script to run.");

        var outcome = await RunScriptAsync(plan.Script, plan, extraVariables: null, context, cancellationToken);
        var target = "local";
        if (outcome.Cancelled)
            return HandlerResult.Errored("The script was stopped.", new TargetResult(target, TargetState.Cancelled, null, outcome.Duration, "stopped")) with { ListTargets = false };
        var result = outcome.ExitCode == 0
            ? HandlerResult.Succeeded($"The script finished in {outcome.Duration.TotalSeconds:0.0} s.", new TargetResult(target, TargetState.Ok, 0, outcome.Duration))
            : HandlerResult.Failed($"The script exited with code {outcome.ExitCode}.{ExitCodeHint.For(outcome.ExitCode)}", new TargetResult(target, TargetState.Failed, outcome.ExitCode, outcome.Duration, $"exit code {outcome.ExitCode}"));
        // The one target is the script itself: the summary above already says how it went.
        return result with { ListTargets = false };
    }

    /// <summary>
    /// Runs a script locally; other handlers use this for their own local steps (a smoke test
    /// after a rollout). <paramref name="extraVariables"/> are added to the script's environment.
    /// </summary>
    public static async Task<ProcessOutcome> RunScriptAsync(
        string script,
        DeploymentPlan plan,
        IReadOnlyDictionary<string, string>? extraVariables,
        HandlerContext context,
        CancellationToken cancellationToken)
    {
        // The whole payload, whatever its size, as a file (a variable may be too big to pass).
        var payloadFolder = PrivateTempFolders.Create("deliverybot-payload-");
        try
        {
            var payloadFile = Path.Combine(payloadFolder, "payload.json");
            await File.WriteAllTextAsync(payloadFile, plan.Deployment.Payload.ToScriptValue(), cancellationToken);
            var variables = new Dictionary<string, string>(extraVariables ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [DeploymentVariables.PayloadFileVariable] = payloadFile,
            };
            var environment = ScriptEnvironment(plan, variables, context.Environment, context.Log);
            var command = Cli.Wrap("bash")
                .WithArguments(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script])
                .WithWorkingDirectory(plan.WorkingDirectory)
                .WithEnvironmentVariables(environment);
            var outcome = await ProcessRunner.RunAsync(command, context.Log.Output, context.Log.FlushOutput, context.Time, cancellationToken);
            if (outcome.OutputLeftOpen)
            {
                context.Log.Warning(
                    $"The script ended, but a process it started in the background still holds its output open. The step does not wait for it beyond {ProcessRunner.OutputGrace.TotalSeconds:0} s; its later output is not shown (redirect a daemon's output, e.g. `cmd > app.log 2>&1 &`).",
                    "Background process still writing");
            }

            return outcome;
        }
        finally
        {
            PrivateTempFolders.Delete(payloadFolder);
        }
    }

    /// <summary>
    /// Changes to the inherited environment: null removes a variable (CliWrap's convention).
    /// </summary>
    /// <remarks>
    /// Deployment variables too big for the environment (<see cref="EnvironmentLimits"/>) are
    /// left out with a warning naming them, rather than failing the start with <c>E2BIG</c>.
    /// </remarks>
    internal static IReadOnlyDictionary<string, string?> ScriptEnvironment(
        DeploymentPlan plan,
        IReadOnlyDictionary<string, string>? extraVariables,
        ChildEnvironment childEnvironment,
        Workflow.IWorkflowLog? log = null)
    {
        var changes = childEnvironment.Changes();
        var (kept, leftOut) = EnvironmentLimits.Fit(plan.DeploymentVariables);
        foreach (var (name, value) in kept)
            changes[name] = value;
        foreach (var (name, value) in extraVariables ?? new Dictionary<string, string>())
            changes[name] = value;
        if (leftOut.Count > 0)
            log?.Warning($"Left out of the script's environment, too big to pass (over {EnvironmentLimits.MaxVariableBytes / 1024} KiB each or {EnvironmentLimits.MaxTotalBytes / 1024 / 1024} MiB together): {string.Join(", ", leftOut.Take(20))}{(leftOut.Count > 20 ? $" and {leftOut.Count - 20} more" : "")}. Read the whole payload from the file $DEPLOY_PAYLOAD_FILE names.");
        return changes;
    }
}
