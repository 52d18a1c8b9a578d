using DeployRunner.Inputs;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Deploys Kubernetes manifests with the real kubectl, each object marked as this environment's
/// (<see cref="OwnershipMark"/>), and waits for the rollouts; on <c>remove</c>, deletes what the
/// manifests describe that carries this environment's mark, or the namespace this runner created
/// for it, and nothing else. Each task is its own type over one <see cref="KubectlSession"/>.
/// </summary>
internal sealed class KubectlHandler : IDeploymentHandler
{
    private readonly KubectlSettings _settings;
    private readonly HandlerContext _context;

    public KubectlHandler(InputSet inputs, HandlerContext context)
    {
        _settings = KubectlSettings.From(inputs, context.Workspace, context.Environment.Variables, context.Stopping);
        _context = context;
        // Before anything can print: the kubeconfig input as a whole is masked by Program,
        // but once decoded from base64 its credentials are new strings.
        foreach (var secret in _settings.Kubeconfig.Secrets) context.Log.Mask(secret);
    }

    /// <summary>Never: <c>manifests</c> always names something to apply or remove.</summary>
    public bool HasNothingToRun(DeploymentPlan plan) => false;

    /// <summary>After an apply or a removal; a rollback undoes the rollouts without it.</summary>
    public bool RunsScript(DeploymentPlan plan) => plan.Script is not null && !plan.IsRollback;

    /// <summary>
    /// A <c>rollback</c> deployment that names a release is refused before any status: the kubectl
    /// handler goes back one revision only (the README says why), and quietly going somewhere
    /// else than asked would be worse than saying no.
    /// </summary>
    public void CheckPlan(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        if (!plan.IsRollback || RollbackRequest.Of(plan) is not { } wanted) return;
        throw new ConfigurationException(
            $"The rollback deployment asks for release {wanted} (payload `{RollbackRequest.PayloadKey}`), but the kubectl handler can only go back to each workload's previous revision. "
            + $"Create the rollback deployment without `{RollbackRequest.PayloadKey}`, or deploy the ref of deployment {wanted} again.");
    }

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        using var kubeconfig = PrivateKubeconfig.Write(_settings.Kubeconfig.Text);
        var session = KubectlSession.Open(_settings, _context, plan, kubeconfig);
        if (plan.IsRollback) return await new KubectlRollbackTask(session).RunAsync(cancellationToken);
        return plan.IsRemoval
            ? await new KubectlRemoval(session).RunAsync(cancellationToken)
            : await new KubectlDeploy(session).RunAsync(cancellationToken);
    }

    /// <summary>The dry run's plan (<see cref="KubectlPlanDescription"/>); the cluster is not asked.</summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        using var kubeconfig = PrivateKubeconfig.Write(_settings.Kubeconfig.Text);
        var session = KubectlSession.Open(_settings, _context, plan, kubeconfig);
        return await new KubectlPlanDescription(session).DescribeAsync(cancellationToken);
    }

    /// <summary>Whether a failure would be rolled back (input <c>atomic</c>, parsed once into <see cref="KubectlSettings.Atomic"/>).</summary>
    public IEnumerable<DryRunNote> DryRunNotes(DeploymentPlan plan) =>
        KubectlDryRun.Lines(plan, _settings.Atomic).Select(line => new DryRunNote(line, Untrusted: false));
}
