using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.ChildProcesses;
using DeployRunner.Handlers.Shell;
using DeployRunner.Inputs;
using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// One deployment's kubectl work: the settings, the plan and the kubectl of this run, and the
/// steps that deploy, remove, roll back and the dry run share (render the manifests, look up what
/// exists and whose it is, undo a rollout, run the script). Each task is its own type over it:
/// <see cref="KubectlDeploy"/>, <see cref="AtomicRollback"/>, <see cref="KubectlRemoval"/>,
/// <see cref="KubectlRollbackTask"/>, <see cref="KubectlPlanDescription"/>.
/// </summary>
internal sealed class KubectlSession(KubectlSettings settings, HandlerContext context, DeploymentPlan plan, KubectlCli kubectl)
{
    /// <summary>The session of one run, its kubectl calls going through <paramref name="kubeconfig"/> (the run's private copy).</summary>
    public static KubectlSession Open(KubectlSettings settings, HandlerContext context, DeploymentPlan plan, PrivateKubeconfig kubeconfig) =>
        new(settings, context, plan, new KubectlCli(settings.KubectlPath, kubeconfig, settings.Kubeconfig.Context, context));

    /// <summary>What every step returns when kubectl was stopped by the run's cancellation.</summary>
    public static readonly HandlerResult Stopped = HandlerResult.Errored("kubectl was stopped.");

    public KubectlSettings Settings => settings;

    public HandlerContext Context => context;

    public DeploymentPlan Plan => plan;

    public KubectlCli Kubectl => kubectl;

    public OwnershipMark Mark { get; } = new(plan.Deployment.Environment);

    /// <summary>The rollout time-out as kubectl's <c>--timeout</c> takes it.</summary>
    public string Timeout => $"{(long)Math.Ceiling(settings.RolloutTimeout.TotalSeconds)}s";

    public IEnumerable<string> NamespaceArguments => settings.Namespace is null ? [] : ["--namespace", settings.Namespace];

    /// <summary>
    /// Reads the manifests in order; kustomization folders are built by <c>kubectl kustomize</c>
    /// with its load restriction on. <paramref name="offline"/> (a dry run) skips, and names, the
    /// kustomizations that would fetch remote resources: a dry run connects to nothing.
    /// </summary>
    public async Task<(IReadOnlyList<KubernetesObject> Objects, HandlerResult? Error)> RenderAsync(List<string>? offline, CancellationToken cancellationToken)
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

    /// <summary>The <c>images</c> entries that match no container: an error before anything is applied.</summary>
    public string? UnusedImageOverrides(IReadOnlyList<KubernetesObject> objects)
    {
        var counts = ImageOverride.Apply(settings.Images, objects);
        var unused = settings.Images.Where((_, i) => counts[i] == 0).Select(o => o.Repository).ToList();
        return unused.Count == 0
            ? null
            : $"Input `images`: no container in the manifests uses {string.Join(", ", unused.Select(u => $"'{u}'"))}; nothing was applied. Images in the manifests: {string.Join(", ", ImagesIn(objects))}.";
    }

    public static IEnumerable<string> ImagesIn(IEnumerable<KubernetesObject> objects)
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

    /// <summary>
    /// The objects of the manifests that exist in the cluster, each with its live JSON: one
    /// <c>kubectl get -f - --ignore-not-found</c> for all of them.
    /// </summary>
    public async Task<(IReadOnlyList<(KubernetesObject Item, JsonNode Live)> Existing, HandlerResult? Error)> FindExistingAsync(
        IReadOnlyList<KubernetesObject> objects, CancellationToken cancellationToken)
    {
        if (objects.Count == 0) return ([], null);
        var found = await kubectl.RunAsync(
            ["get", "-f", "-", "--ignore-not-found", "-o", "json", .. NamespaceArguments], Manifests.Render(objects), capture: true, cancellationToken);
        if (found.Cancelled) return ([], Stopped);
        if (!found.Succeeded) return ([], HandlerResult.Errored($"kubectl could not look up the objects of the manifests: {found.Message}; nothing was changed."));

        List<JsonNode> live;
        try
        {
            live = LiveItems(found.Output);
        }
        catch (JsonException e)
        {
            return ([], HandlerResult.Errored($"kubectl get printed something that is not JSON ({e.Message}); nothing was changed."));
        }

        var existing = new List<(KubernetesObject, JsonNode)>();
        foreach (var item in objects)
        {
            var ns = item.Namespace ?? settings.Namespace;
            var match = live.FirstOrDefault(l =>
                (string?)l["kind"] == item.Kind
                && (string?)l["metadata"]?["name"] == item.Name
                && (ns is null || l["metadata"]?["namespace"] is null || (string?)l["metadata"]?["namespace"] == ns));
            if (match is not null) existing.Add((item, match));
        }

        return (existing, null);
    }

    /// <summary>Nothing, one object, or a <c>List</c> of them, as <c>kubectl get -o json</c> prints.</summary>
    public static List<JsonNode> LiveItems(string output) => [.. KubectlJson.Items(output)];

    /// <summary>Names what exists without our mark, and says whose it is when it is another environment's.</summary>
    public string Describe(IEnumerable<(KubernetesObject Item, JsonNode Live)> foreign) =>
        string.Join(", ", foreign.Select(f =>
        {
            var ns = (string?)f.Live["metadata"]?["namespace"];
            var owner = Mark.Of(f.Live) == Ownership.AnotherEnvironment ? $" (deployed for environment '{OwnershipMark.EnvironmentOf(f.Live)}')" : "";
            return $"{f.Item.Reference}{(ns is null ? "" : $" in namespace {ns}")}{owner}";
        }));

    /// <summary>The commands that adopt the objects for this environment, one pair per namespace.</summary>
    public string AdoptHint(IEnumerable<(KubernetesObject Item, JsonNode Live)> foreign) =>
        string.Join(" ; ", foreign
            .GroupBy(f => (string?)f.Live["metadata"]?["namespace"])
            .Select(group => Mark.AdoptCommands(group.Select(f => f.Item.Reference), group.Key)));

    /// <summary>
    /// <c>kubectl rollout undo</c> to <paramref name="revision"/> (the previous one when
    /// unknown), then waits for that rollout. Null when stopped.
    /// </summary>
    public async Task<TargetResult?> UndoRolloutAsync(string reference, string? ns, long? revision, CancellationToken cancellationToken)
    {
        string[] where = ns is null ? [] : ["--namespace", ns];
        string[] to = revision is null ? [] : [string.Create(CultureInfo.InvariantCulture, $"--to-revision={revision}")];
        var undo = await kubectl.RunAsync(["rollout", "undo", reference, .. where, .. to], input: null, capture: false, cancellationToken);
        if (undo.Cancelled) return null;
        if (!undo.Succeeded) return new TargetResult(reference, TargetState.RollbackFailed, undo.ExitCode, undo.Duration, $"kubectl rollout undo failed: {undo.Message}");

        var rollout = await kubectl.RunAsync(
            ["rollout", "status", reference, .. where, $"--timeout={Timeout}", "--watch=true"], input: null, capture: false, cancellationToken);
        if (rollout.Cancelled) return null;
        var duration = undo.Duration + rollout.Duration;
        if (!rollout.Succeeded) return new TargetResult(reference, TargetState.RollbackFailed, rollout.ExitCode, duration, $"the rolled-back revision did not roll out: {rollout.Message}");
        return new TargetResult(reference, TargetState.RolledBack, 0, duration, revision is null ? "to its previous revision" : string.Create(CultureInfo.InvariantCulture, $"to revision {revision}"));
    }

    /// <summary>The deploy's script (after the rollouts) or the remove-script, with the run's kubeconfig and namespace.</summary>
    public async Task<TargetResult> RunScriptAsync(string script, CancellationToken cancellationToken)
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

    /// <summary>The result of a run whose script did not succeed: stopped, or failed for <paramref name="reason"/>.</summary>
    public static HandlerResult Conclude(TargetResult script, string reason, List<TargetResult> targets) =>
        script.State == TargetState.Cancelled ? Stopped with { Targets = [.. targets] } : HandlerResult.Failed(reason, [.. targets]);
}
