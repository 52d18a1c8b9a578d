using DeployRunner.Handlers;
using DeployRunner.Planning;

namespace DeployRunner.IntegrationTests.Handlers.Sketch;

/// <summary>
/// A throw-away handler, written as CONTRIBUTING's "Adding a handler" says and nothing more: a
/// name, no inputs, no programs, a factory. It calls none of the cross-cutting code (health
/// check, <c>atomic</c>, prerequisites); the tests prove the pipeline applies it anyway. It is not
/// registered, so the real catalog (and every message that lists the handlers) stays as shipped.
/// </summary>
internal static class EchoDefinition
{
    public static readonly HandlerDefinition Definition = new(
        Name: "echo",
        Inputs: [],
        Programs: [],
        Create: (_, context) => new EchoHandler(context));
}

/// <summary>Says what it would deploy and succeeds.</summary>
internal sealed class EchoHandler(HandlerContext context) : IDeploymentHandler
{
    public bool HasNothingToRun(DeploymentPlan plan) => false;

    public bool RunsScript(DeploymentPlan plan) => false;

    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
    }

    public Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(["Echo: one line."]);

    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) => [];

    public Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        context.Log.Info($"echo: {plan.Deployment.Environment}");
        return Task.FromResult(HandlerResult.Succeeded("Echoed.", new TargetResult("echo", TargetState.Ok, 0, TimeSpan.Zero)));
    }
}
