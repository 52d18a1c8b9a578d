using System.Globalization;
using DeployRunner.Handlers;
using DeployRunner.Planning;
using DeployRunner.Status;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>Exit codes of the runner process.</summary>
public static class ExitCodes
{
    public const int Deployed = 0;
    public const int Failed = 1;
    public const int CouldNotStart = 2;
}

/// <summary>How long the runner allows itself once told to stop (the Actions runner sends SIGTERM 7.5 s after SIGINT).</summary>
public sealed record ShutdownBudget(TimeSpan HandlerStop, TimeSpan FinalStatus)
{
    public static readonly ShutdownBudget Default = new(TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(2.5));
}

/// <summary>
/// The lifecycle of one deployment: <c>in_progress</c>, the handler's work, exactly one terminal
/// status, outputs and summary. Once <c>in_progress</c> is posted, every path (success, failure,
/// time-out, cancellation, a fault in a handler) ends in a terminal status.
/// </summary>
public sealed class DeploymentRunner(
    IGitHubDeployments github,
    IWorkflowLog log,
    WorkflowFiles files,
    TimeProvider time,
    string? logUrl,
    ShutdownBudget? shutdownBudget = null)
{
    private readonly ShutdownBudget _budget = shutdownBudget ?? ShutdownBudget.Default;

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
        var posted = await PostFinalAsync(plan, DeploymentState.Inactive, $"Superseded by #{newer.Id}", stopping: false);
        await files.SetOutputAsync("status", DeploymentState.Inactive.ToApiName(), CancellationToken.None);
        await files.SetOutputAsync("deployment-id", deployment.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await files.SetOutputAsync("environment-url", "", CancellationToken.None);
        await files.SetOutputAsync("results", "[]", CancellationToken.None);
        await files.AppendSummaryAsync($"Deployment {deployment.Id} was skipped: deployment {newer.Id} to the same environment is newer.\n", CancellationToken.None);
        return posted ? ExitCodes.Deployed : ExitCodes.Failed;
    }

    public async Task<int> RunAsync(DeploymentPlan plan, IDeploymentHandler handler, CancellationToken shutdown)
    {
        var deployment = plan.Deployment;
        var started = time.GetTimestamp();
        try
        {
            await github.PostStatusAsync(plan.Repository, deployment.Id, Status(plan, DeploymentState.InProgress, $"{plan.Verb} {Target(plan)}"), shutdown);
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            // Without in_progress nobody would see the result: do not start the work.
            log.Error(e is GitHubApiException ? e.Message : "Stopped before the deployment started.", "Deployment not started");
            return ExitCodes.Failed;
        }

        await SaveStateAsync("in_progress", deployment.Id);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        deadline.CancelAfter(plan.Timeout);
        var result = await RunHandlerAsync(plan, handler, shutdown, deadline);
        var elapsed = time.GetElapsedTime(started);

        var (state, description) = Conclude(plan, result);
        if (result.Outcome != HandlerOutcome.Succeeded)
            log.Error(result.Reason, $"{plan.Verb} {deployment.Environment} {(result.Outcome == HandlerOutcome.Failed ? "failed" : "errored")}");
        else
            log.Info(result.Reason);

        var posted = await PostFinalAsync(plan, state, description, shutdown.IsCancellationRequested);
        await WriteReportAsync(plan, state, result, elapsed);
        if (!posted) return ExitCodes.Failed;
        return result.Outcome == HandlerOutcome.Succeeded ? ExitCodes.Deployed : ExitCodes.Failed;
    }

    /// <summary>Posts <c>error</c> for a deployment the runner cannot even plan (bad configuration).</summary>
    public async Task ReportConfigurationErrorAsync(string repository, long deploymentId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await github.PostStatusAsync(repository, deploymentId, new DeploymentStatusUpdate(DeploymentState.Error, $"Configuration error: {reason}", logUrl), cancellationToken);
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Warning($"The error status could not be posted either: {e.Message}");
        }
    }

    private async Task<HandlerResult> RunHandlerAsync(DeploymentPlan plan, IDeploymentHandler handler, CancellationToken shutdown, CancellationTokenSource deadline)
    {
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
            : $"The deployment timed out after {DeploymentReport.FormatDuration(plan.Timeout)} (input `timeout`).";

        if (finished != work)
        {
            _ = work.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return HandlerResult.Errored($"{reasonForStop} The handler did not stop in time.");
        }

        try
        {
            var result = await work;
            return deadline.IsCancellationRequested && result.Outcome != HandlerOutcome.Succeeded
                ? result with { Outcome = HandlerOutcome.Errored, Reason = reasonForStop }
                : result;
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
        HandlerOutcome.Succeeded when result.Description is { } described => (DeploymentState.Success, described),
        HandlerOutcome.Succeeded when plan.IsRemoval => (DeploymentState.Inactive, $"{RemovedPrefix}{plan.Deployment.Environment}"),
        HandlerOutcome.Succeeded => (DeploymentState.Success, $"{Past(plan)} {Target(plan)}"),
        HandlerOutcome.Failed => (DeploymentState.Failure, $"Failed: {result.Reason}"),
        _ => (DeploymentState.Error, $"Error: {result.Reason}"),
    };

    private static string Past(DeploymentPlan plan) =>
        plan.Deployment.Task.Equals("deploy", StringComparison.OrdinalIgnoreCase) ? "Deployed" : $"Ran {plan.Deployment.Task} for";

    private static string Target(DeploymentPlan plan) =>
        plan.IsRemoval ? plan.Deployment.Environment : $"{plan.DisplayRef} to {plan.Deployment.Environment}";

    private DeploymentStatusUpdate Status(DeploymentPlan plan, DeploymentState state, string description) =>
        new(state, description, logUrl, state == DeploymentState.Success ? plan.EnvironmentUrl : null);

    private async Task<bool> PostFinalAsync(DeploymentPlan plan, DeploymentState state, string description, bool stopping)
    {
        // The shutdown token has fired when stopping; the final status gets its own, short budget.
        using var budget = new CancellationTokenSource(stopping ? _budget.FinalStatus : TimeSpan.FromSeconds(90));
        try
        {
            await github.PostStatusAsync(plan.Repository, plan.Deployment.Id, Status(plan, state, description), budget.Token);
            await SaveStateAsync(state.ToApiName(), plan.Deployment.Id);
            return true;
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Error($"The `{state.ToApiName()}` status could not be posted: {(e is OperationCanceledException ? "no answer in time" : e.Message)}", "Status not reported");
            return false;
        }
    }

    private async Task SaveStateAsync(string posted, long deploymentId)
    {
        // For the post step (post-entrypoint): what the main step last told GitHub.
        await files.SaveStateAsync("deployment-id", deploymentId.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await files.SaveStateAsync("posted", posted, CancellationToken.None);
    }

    private async Task WriteReportAsync(DeploymentPlan plan, DeploymentState state, HandlerResult result, TimeSpan elapsed)
    {
        await files.SetOutputAsync("status", state.ToApiName(), CancellationToken.None);
        await files.SetOutputAsync("deployment-id", plan.Deployment.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        await files.SetOutputAsync("environment-url", state == DeploymentState.Success ? plan.EnvironmentUrl ?? "" : "", CancellationToken.None);
        await files.SetOutputAsync("results", DeploymentReport.ResultsJson(result.Targets), CancellationToken.None);
        await files.AppendSummaryAsync(DeploymentReport.StepSummary(plan, state, result, elapsed), CancellationToken.None);
    }
}
