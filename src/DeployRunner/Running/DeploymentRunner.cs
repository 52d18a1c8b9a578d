using System.Globalization;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// The lifecycle of one deployment: <c>in_progress</c>, the handler's work, exactly one terminal
/// status, outputs and summary. Once <c>in_progress</c> is posted, every path (success, failure,
/// time-out, cancellation, a fault in a handler) ends in a terminal status.
/// </summary>
internal sealed class DeploymentRunner(
    IGitHubDeployments github,
    IWorkflowLog log,
    WorkflowFiles files,
    TimeProvider time,
    string? logUrl,
    ShutdownBudget? shutdownBudget = null)
{
    private readonly ShutdownBudget _budget = shutdownBudget ?? ShutdownBudget.Default;
    private readonly DeploymentRecord _record = new(files, log);

    /// <summary>How long a final status may take when nobody is stopping the runner (retries included).</summary>
    public static readonly TimeSpan FinalStatusBudget = TimeSpan.FromSeconds(90);

    /// <summary>What a removal without a <c>remove-script</c> does: its documented meaning, said in the log.</summary>
    public const string NothingToRemove = "Input `remove-script` is empty: nothing was run; the environment is only marked inactive (the documented meaning of an empty `remove-script`).";

    /// <summary>How a successful removal's <c>inactive</c> status starts: a teardown that finds it knows the work was done.</summary>
    public const string RemovedPrefix = "Removed ";

    /// <summary>
    /// Input <c>skip-superseded</c>: if a newer deployment to the same environment exists, this
    /// older one must not overwrite it. It is marked <c>inactive</c> ("superseded by #ID") and
    /// nothing runs. One request: the environment's newest deployment (<c>per_page=1</c>).
    /// Returns the exit code when the deployment was skipped (or the check failed), null when it should run.
    /// </summary>
    public async Task<int?> SkipIfSupersededAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        var deployment = plan.Deployment;
        IReadOnlyList<Events.Deployment> newest;
        try
        {
            newest = await github.ListDeploymentsAsync(plan.Repository, new DeploymentFilter(Environment: deployment.Environment), limit: 1, cancellationToken);
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            // Like a failed in_progress: an API that cannot answer this would not take the
            // statuses either, and deploying blind could overwrite a newer deployment.
            log.Error(e is GitHubApiException ? $"{e.Message} Nothing was started (input `skip-superseded` needs this check)." : "Stopped before the deployment started.", "Deployment not started");
            return ExitCodes.Failed;
        }

        // Ids grow with time; comparing them also guards against an unexpected list order.
        if (newest.Count == 0 || newest[0].Id <= deployment.Id) return null;

        var newer = newest[0];
        log.Info($"Deployment {deployment.Id} is superseded by deployment {newer.Id} to the same environment: not running it (input `skip-superseded`).");
        var posted = await PostFinalAsync(plan, DeploymentState.Inactive, $"Superseded by #{newer.Id}", cancellationToken, started: false);
        await files.SetOutputAsync("status", DeploymentState.Inactive.ToApiName(), CancellationToken.None);
        await files.SetOutputAsync("deployment-id", deployment.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await files.SetOutputAsync("environment-url", "", CancellationToken.None);
        await files.SetOutputAsync("results", "[]", CancellationToken.None);
        await files.AppendSummaryAsync($"Deployment {deployment.Id} was skipped: deployment {newer.Id} to the same environment is newer.\n", CancellationToken.None);
        return posted ? ExitCodes.Deployed : ExitCodes.Failed;
    }

    /// <summary>
    /// Refuses a deployment before it starts (its environment is locked, or the lock could not be
    /// checked): <c>error</c> with <paramref name="description"/>, the outputs and a summary line;
    /// nothing runs and no <c>in_progress</c> is posted.
    /// </summary>
    public async Task<int> RefuseAsync(DeploymentPlan plan, string description, CancellationToken cancellationToken)
    {
        var deployment = plan.Deployment;
        await PostFinalAsync(plan, DeploymentState.Error, description, cancellationToken, started: false);
        await files.SetOutputAsync("status", DeploymentState.Error.ToApiName(), CancellationToken.None);
        await files.SetOutputAsync("deployment-id", deployment.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await files.SetOutputAsync("environment-url", "", CancellationToken.None);
        await files.SetOutputAsync("results", "[]", CancellationToken.None);
        await files.AppendSummaryAsync($"### ⛔ {MarkdownText.Cell(plan.Verb)} {MarkdownText.Cell(deployment.Environment)}: error\n\nDeployment {deployment.Id} was not started: {MarkdownText.Cell(DeploymentStatusUpdate.Shorten(description, 500))}\n", CancellationToken.None);
        return ExitCodes.CouldNotStart;
    }

    public async Task<int> RunAsync(DeploymentPlan plan, IDeploymentHandler handler, CancellationToken shutdown)
    {
        var deployment = plan.Deployment;
        var started = time.GetTimestamp();
        // Intent first: if the answer is lost or the runner is killed mid-request, the post step
        // knows to ask GitHub whether in_progress was recorded.
        await _record.IntendAsync(deployment.Id, DeploymentState.InProgress);
        try
        {
            await github.PostStatusAsync(plan.Repository, deployment.Id, Status(plan, DeploymentState.InProgress, plan.Action), shutdown);
        }
        catch (GitHubApiException e) when (!e.MayHaveTakenEffect)
        {
            // GitHub refused in_progress: nothing is in progress, and without it nobody would see the result.
            log.Error(e.Message, "Deployment not started");
            await _record.NotStartedAsync(deployment.Id);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            // The answer was lost (or the runner was told to stop mid-request): GitHub may have
            // recorded in_progress. Close it rather than leave it hanging; nothing was started.
            var why = e is GitHubApiException ? e.Message : "Stopped before the deployment started.";
            log.Error($"{why} The deployment was not started; `in_progress` may have been recorded, so it is closed with `error`.", "Deployment not started");
            await PostFinalAsync(plan, DeploymentState.Error, "Error: the runner could not confirm `in_progress` and did not start the deployment.", shutdown);
            return ExitCodes.Failed;
        }

        await _record.ConfirmAsync(deployment.Id, DeploymentState.InProgress);

        // The timeout runs on the runner's clock (a test's fake clock too), like the stop budgets.
        using var timeout = new CancellationTokenSource(plan.Timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout.Token);
        var result = await RunHandlerAsync(plan, handler, shutdown, deadline);
        var elapsed = time.GetElapsedTime(started);

        var (state, description) = Conclude(plan, result);
        if (result.Outcome != HandlerOutcome.Succeeded)
            log.Error(result.Reason, $"{plan.Verb} {deployment.Environment} {(result.Outcome == HandlerOutcome.Failed ? "failed" : "errored")}");
        else
            log.Info(result.Reason);

        var posted = await PostFinalAsync(plan, state, description, shutdown);
        await WriteReportAsync(plan, state, result, elapsed);
        if (!posted) return ExitCodes.Failed;
        return result.Outcome == HandlerOutcome.Succeeded ? ExitCodes.Deployed : ExitCodes.Failed;
    }

    /// <summary>Records a deployment the runner created itself, before anything else happens to it (for the post step).</summary>
    public Task RecordCreatedAsync(long deploymentId) => _record.CreatedAsync(deploymentId);

    /// <summary>Posts <c>error</c> for a deployment the runner cannot even plan (bad configuration).</summary>
    public async Task ReportConfigurationErrorAsync(string repository, long deploymentId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await github.PostStatusAsync(repository, deploymentId, new DeploymentStatusUpdate(DeploymentState.Error, $"Configuration error: {reason}", logUrl), cancellationToken);
            await _record.ConfirmAsync(deploymentId, DeploymentState.Error);
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Warning($"The error status could not be posted either: {e.Message}");
        }
    }

    private async Task<HandlerResult> RunHandlerAsync(DeploymentPlan plan, IDeploymentHandler handler, CancellationToken shutdown, CancellationTokenSource deadline)
    {
        // Only a removal gets here with nothing to do (a deployment without a script is refused
        // while planning): no empty log group, and the status says what did (not) happen.
        if (handler.HasNothingToRun(plan))
            return HandlerResult.Succeeded(NothingToRemove);

        log.StartGroup($"{plan.Verb} {plan.Deployment.Environment} with the {plan.HandlerName} handler");
        Task<HandlerResult> work;
        try
        {
            work = handler.RunAsync(plan, deadline.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            work = Task.FromException<HandlerResult>(e);
        }

        // A handler that ignores its token must not keep the deployment "in progress": once
        // stopping starts, it gets a bounded time, then the status is posted regardless.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStop = deadline.Token.Register(() => _ = Task.Delay(_budget.HandlerStop, time).ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default));
        var finished = await Task.WhenAny(work, stopped.Task);
        log.EndGroup();

        var reasonForStop = shutdown.IsCancellationRequested
            ? "The deployment was cancelled."
            : $"The deployment timed out after {DurationText.Format(plan.Timeout)} (input `timeout`).";

        if (finished != work)
        {
            _ = work.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return HandlerResult.Errored($"{reasonForStop} The handler did not stop in time.");
        }

        try
        {
            var result = await work;
            if (!deadline.IsCancellationRequested || result.Outcome == HandlerOutcome.Succeeded) return result;
            // A handler that says what the stop did (a rollback, or one that could not finish: the
            // one thing a user must see) keeps its word, after the runner's on why it stopped.
            if (result.StopDescription is { } did)
            {
                var stopWord = shutdown.IsCancellationRequested ? "Cancelled" : $"Timed out after {DurationText.Format(plan.Timeout)}";
                return result with { Outcome = HandlerOutcome.Errored, Reason = $"{reasonForStop} {result.Reason}", Description = $"{stopWord}; {did}" };
            }

            return result with { Outcome = HandlerOutcome.Errored, Reason = reasonForStop };
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return HandlerResult.Errored(reasonForStop);
        }
        catch (ConfigurationException e)
        {
            return HandlerResult.Errored(e.Message);
        }
        catch (Exception e)
        {
            log.Debug(e.ToString());
            return HandlerResult.Errored($"The runner failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static (DeploymentState State, string Description) Conclude(DeploymentPlan plan, HandlerResult result) => result.Outcome switch
    {
        // A handler that did roll back says to what ("Rolled back to ..."); a plain script run for
        // a `rollback` task has no description of its own and keeps the usual one.
        HandlerOutcome.Succeeded when result.Description is { } described => (DeploymentState.Success, described),
        HandlerOutcome.Succeeded when plan.IsRemoval => (DeploymentState.Inactive, $"{RemovedPrefix}{plan.Deployment.Environment}"),
        HandlerOutcome.Succeeded => (DeploymentState.Success, $"{Past(plan)} {Target(plan)}"),
        HandlerOutcome.Failed => (DeploymentState.Failure, $"Failed: {result.Reason}"),
        HandlerOutcome.Errored when result.StopDescription is not null && result.Description is { } stopped => (DeploymentState.Error, $"Error: {stopped}"),
        _ => (DeploymentState.Error, $"Error: {result.Reason}"),
    };

    private static string Past(DeploymentPlan plan) =>
        plan.Deployment.Task.Equals("deploy", StringComparison.OrdinalIgnoreCase) ? "Deployed" : $"Ran {plan.Deployment.Task} for";

    private static string Target(DeploymentPlan plan) =>
        plan.IsRemoval || plan.IsRollback ? plan.Deployment.Environment : $"{plan.DisplayRef} to {plan.Deployment.Environment}";

    private DeploymentStatusUpdate Status(DeploymentPlan plan, DeploymentState state, string description) =>
        new(state, description, logUrl, state == DeploymentState.Success ? plan.EnvironmentUrl : null);

    /// <param name="started">False for a deployment that is not run (superseded): the post step must not close it with `error` after a lost answer.</param>
    private async Task<bool> PostFinalAsync(DeploymentPlan plan, DeploymentState state, string description, CancellationToken shutdown, bool started = true)
    {
        // The final status has its own budget, not the shutdown token (which may have fired
        // already); once told to stop, whatever is left shrinks to the short stopping budget, so a
        // retry that waits (a 429's Retry-After) cannot hold the runner past the 7 s it has.
        using var budget = new CancellationTokenSource(shutdown.IsCancellationRequested ? _budget.FinalStatus : FinalStatusBudget, time);
        await using var onStop = shutdown.Register(() =>
        {
            try { budget.CancelAfter(_budget.FinalStatus); } catch (ObjectDisposedException) { }
        });
        await (started ? _record.IntendAsync(plan.Deployment.Id, state) : _record.SkippingAsync(plan.Deployment.Id, state));
        try
        {
            await github.PostStatusAsync(plan.Repository, plan.Deployment.Id, Status(plan, state, description), budget.Token);
            await _record.ConfirmAsync(plan.Deployment.Id, state);
            return true;
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Error($"The `{state.ToApiName()}` status could not be posted: {(e is OperationCanceledException ? "no answer in time" : e.Message)} {(started ? "The post step will close the deployment." : "The deployment was not started; it stays as it was.")}", "Status not reported");
            return false;
        }
    }

    private async Task WriteReportAsync(DeploymentPlan plan, DeploymentState state, HandlerResult result, TimeSpan elapsed)
    {
        try
        {
            await files.SetOutputAsync("status", state.ToApiName(), CancellationToken.None);
            await files.SetOutputAsync("deployment-id", plan.Deployment.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            await files.SetOutputAsync("environment-url", state == DeploymentState.Success ? plan.EnvironmentUrl ?? "" : "", CancellationToken.None);
            await files.SetOutputAsync("results", DeploymentReport.ResultsJson(result.Targets), CancellationToken.None);
            await files.AppendSummaryAsync(DeploymentReport.StepSummary(plan, state, result, elapsed), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The status is what matters and it went out already; outputs on a full disk are lost.
            log.Warning($"Could not write the step's outputs or summary: {e.Message}");
        }
    }
}
