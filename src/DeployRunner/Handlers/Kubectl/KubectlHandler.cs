using DeployRunner.ChildProcesses;
using DeployRunner.Handlers.Shell;
using DeployRunner.Inputs;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Deploys Kubernetes manifests with the real kubectl, each object marked as this environment's
/// (<see cref="OwnershipMark"/>), and waits for the rollouts; on <c>remove</c>, deletes what the
/// manifests describe that carries this environment's mark, or the namespace this runner created
/// for it, and nothing else.
/// </summary>
internal sealed partial class KubectlHandler : IDeploymentHandler
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

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        using var kubeconfig = PrivateKubeconfig.Write(_settings.Kubeconfig.Text);
        var kubectl = new KubectlCli(_settings.KubectlPath, kubeconfig, _settings.Kubeconfig.Context, _context);
        var run = new Run(_settings, _context, plan, kubectl);
        if (plan.IsRollback) return await run.RollBackAsync(cancellationToken);
        return plan.IsRemoval ? await run.RemoveAsync(cancellationToken) : await run.DeployAsync(cancellationToken);
    }

    /// <summary>One deployment's steps, sharing the settings, the plan and kubectl (deploy and remove are in their own files).</summary>
    private sealed partial class Run(KubectlSettings settings, HandlerContext context, DeploymentPlan plan, KubectlCli kubectl)
    {
        private static readonly HandlerResult Stopped = HandlerResult.Errored("kubectl was stopped.");

        private string Timeout => $"{(long)Math.Ceiling(settings.RolloutTimeout.TotalSeconds)}s";

        private IEnumerable<string> NamespaceArguments => settings.Namespace is null ? [] : ["--namespace", settings.Namespace];

        /// <summary>
        /// Reads the manifests in order; kustomization folders are built by <c>kubectl kustomize</c>
        /// with its load restriction on. <paramref name="offline"/> (a dry run) skips, and names, the
        /// kustomizations that would fetch remote resources: a dry run connects to nothing.
        /// </summary>
        private async Task<(IReadOnlyList<KubernetesObject> Objects, HandlerResult? Error)> RenderAsync(List<string>? offline, CancellationToken cancellationToken)
        {
            var objects = new List<KubernetesObject>();
            foreach (var source in settings.Manifests)
            {
                var name = Path.GetRelativePath(context.Workspace, source.Path);
                if (!source.IsKustomization)
                {
                    objects.AddRange(Manifests.Read(await YamlLimits.ReadFileAsync(source.Path, name, cancellationToken), name));
                    continue;
                }

                if (offline is not null && source.RemoteReferences.Count > 0)
                {
                    offline.Add($"{name} (kustomize) is not built in a dry run: it fetches {string.Join(", ", source.RemoteReferences)}.");
                    continue;
                }

                var built = await kubectl.RunAsync(["kustomize", source.Path, "--load-restrictor", "LoadRestrictionsRootOnly"], input: null, capture: true, cancellationToken);
                if (built.Cancelled) return ([], Stopped);
                if (!built.Succeeded) return ([], HandlerResult.Errored($"kubectl kustomize {name} failed: {built.Message}; nothing was applied."));
                objects.AddRange(Manifests.Read(built.Output, $"{name} (kustomize)"));
            }

            return (objects, null);
        }

        private async Task<TargetResult> RunScriptAsync(string script, CancellationToken cancellationToken)
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["KUBECONFIG"] = kubectl.Environment()["KUBECONFIG"]! };
            if (settings.Namespace is not null) variables["DEPLOY_NAMESPACE"] = settings.Namespace;
            var outcome = await ShellHandler.RunScriptAsync(script, plan, variables, context, cancellationToken);
            return outcome switch
            {
                { Cancelled: true } => new TargetResult("script", TargetState.Cancelled, null, outcome.Duration, "was stopped"),
                { ExitCode: 0 } => new TargetResult("script", TargetState.Ok, 0, outcome.Duration),
                _ => new TargetResult("script", TargetState.Failed, outcome.ExitCode, outcome.Duration, $"exited with code {outcome.ExitCode}" + (ExitCodeHint.For(outcome.ExitCode) is { Length: > 0 } hint ? "." + hint.TrimEnd('.') : "")),
            };
        }

        private static HandlerResult Conclude(TargetResult script, string reason, List<TargetResult> targets) =>
            script.State == TargetState.Cancelled ? Stopped with { Targets = [.. targets] } : HandlerResult.Failed(reason, [.. targets]);

        private static IEnumerable<string> ImagesIn(IEnumerable<KubernetesObject> objects)
        {
            var images = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var item in objects)
            {
                foreach (var node in item.Node.AllNodes)
                {
                    if (node is YamlDotNet.RepresentationModel.YamlMappingNode mapping && Manifests.Scalar(mapping, "image") is { } image)
                        images.Add(image);
                }
            }

            return images.Count > 0 ? images : ["none"];
        }
    }
}
