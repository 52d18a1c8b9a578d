using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Planning;

namespace DeployRunner.Health;

/// <summary>
/// The health check for handlers that deploy one target (shell, kubectl): after the inner handler
/// succeeded, <c>health-check-url</c> (often <c>{environment-url}/up</c>) must answer 2xx within
/// <c>health-check-timeout</c>, or the deployment is a <c>failure</c> (undone first when the
/// handler says how: kubectl with <c>atomic</c>). Removals are not checked.
/// The ssh handler checks each server itself, between its switch and its rollback.
/// <see cref="HandlerCatalog.Create(HandlerDefinition, InputSet, HandlerContext)"/> wraps every
/// handler whose definition does not declare that it checks health itself.
/// </summary>
internal sealed class HealthCheckedHandler(IDeploymentHandler inner, HealthCheckSettings check, HandlerContext context) : IDeploymentHandler
{
    private static readonly HttpClient Http = HealthProbe.CreateClient();

    /// <summary>Wraps <paramref name="inner"/> when <c>health-check-url</c> is set.</summary>
    public static IDeploymentHandler Wrap(IDeploymentHandler inner, InputSet inputs, HandlerContext context)
    {
        var check = HealthCheckSettings.From(inputs);
        if (check is not null && check.UrlTemplate.Contains(HealthCheckSettings.HostPlaceholder, StringComparison.Ordinal))
            throw new ConfigurationException("Input `health-check-url` uses {host}, which only the ssh handler fills in; use the URL itself or {environment-url}.", setting: "health-check-url");
        return check is null ? inner : new HealthCheckedHandler(inner, check, context);
    }

    // The interface has no default bodies, so each member is forwarded here or this does not compile.
    public bool HasNothingToRun(DeploymentPlan plan) => inner.HasNothingToRun(plan);

    public bool RunsScript(DeploymentPlan plan) => inner.RunsScript(plan);

    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) => inner.DryRunNotes(plan);

    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        inner.CheckPlan(plan, cancellationToken);
        if (!plan.IsRemoval) check.CheckFor(plan.EnvironmentUrl);
    }

    public async Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken) =>
        [.. await inner.DescribeAsync(plan, cancellationToken), $"Health check: {check.UrlFor(null, plan.EnvironmentUrl)} must answer 2xx within {check.Deadline.TotalSeconds:0} s of the deploy."];

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        var result = await inner.RunAsync(plan, cancellationToken);
        if (result.Outcome != HandlerOutcome.Succeeded || plan.IsRemoval) return result;

        var url = check.UrlFor(null, plan.EnvironmentUrl);
        context.Log.Info($"Waiting for {url} to answer 2xx (at most {check.Deadline.TotalSeconds:0} s).");
        var outcome = await new HealthProbe(Http, context.Time).WaitHealthyAsync(url, check.Deadline, cancellationToken);
        var row = new TargetResult($"health {url}", outcome.Healthy ? TargetState.Healthy : TargetState.Unhealthy, null, outcome.Waited, outcome.Detail);
        var targets = result.Targets.Append(row).ToArray();
        if (outcome.Healthy) return result with { Targets = targets };
        context.Log.Error($"Health check {url} failed: {outcome.Detail}.", "Health check failed");
        var unhealthy = HandlerResult.Failed($"The health check {url} failed: {outcome.Detail}.", targets);
        return result.Undo is { } undo ? await undo(unhealthy, cancellationToken) : unhealthy;
    }
}
