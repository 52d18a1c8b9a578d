using System.Globalization;
using System.Text.Json.Nodes;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The <c>deploy</c> task (and any task that is not a removal or a rollback): render, substitute
/// images, check that nothing by those names belongs to someone else, mark every object as this
/// environment's, make sure of the namespace, apply, wait for every rollout, then the script.
/// Nothing is applied when an earlier step finds a problem; with <c>atomic</c>, a failure after
/// the apply is undone by <see cref="AtomicRollback"/>.
/// </summary>
internal sealed class KubectlDeploy(KubectlSession session)
{
    private KubectlSettings Settings => session.Settings;

    public async Task<HandlerResult> RunAsync(CancellationToken cancellationToken)
    {
        var (objects, renderError) = await session.RenderAsync(offline: null, cancellationToken);
        if (renderError is not null) return renderError;
        if (objects.Count == 0) return HandlerResult.Errored("The manifests describe no objects: nothing to deploy.");
        if (session.UnusedImageOverrides(objects) is { } unused) return HandlerResult.Errored(unused);

        var (existing, namespaceExists, refusal) = await CheckOwnershipAsync(objects, cancellationToken);
        if (refusal is not null) return refusal;

        foreach (var item in objects) session.Mark.Stamp(item.Node);

        if (Settings.Namespace is not null)
        {
            var ensured = await EnsureNamespaceAsync(Settings.Namespace, namespaceExists, cancellationToken);
            if (ensured is not null) return ensured;
        }

        var rollback = new AtomicRollback(session);
        var apply = await session.Kubectl.RunAsync(["apply", "-f", "-", .. session.NamespaceArguments], Manifests.Render(objects), capture: false, cancellationToken);
        if (apply.Cancelled) return KubectlSession.Stopped;
        if (!apply.Succeeded)
        {
            var failed = HandlerResult.Failed(
                $"kubectl apply failed: {apply.Message}",
                [.. objects.Select(o => new TargetResult(o.Reference, TargetState.ApplyFailed, apply.ExitCode, apply.Duration, apply.Message))]);
            return await rollback.RollBackIfAtomicAsync(failed, objects, existing, cancellationToken);
        }

        var (targets, failure, stopped) = await AwaitRolloutsAsync(objects, cancellationToken);
        if (stopped is not null) return stopped;
        if (failure is not null) return await rollback.RollBackIfAtomicAsync(HandlerResult.Failed(failure, [.. targets]), objects, existing, cancellationToken);

        if (session.Plan.Script is not null)
        {
            var script = await session.RunScriptAsync(session.Plan.Script, cancellationToken);
            targets.Add(script);
            if (script.State != TargetState.Ok) return KubectlSession.Conclude(script, $"The script after the rollout {script.Reason}.", targets);
        }

        var rolledOut = targets.Count(t => t.State == TargetState.RolledOut);
        return HandlerResult.Succeeded(
            string.Create(CultureInfo.InvariantCulture, $"Applied {objects.Count} object(s){(Settings.Namespace is null ? "" : $" to namespace {Settings.Namespace}")}; {rolledOut} rollout(s) finished."),
            [.. targets]) with
        {
            // A health check that fails after this success is a failed deploy too: with `atomic`
            // it is undone like a failed rollout, from the same record.
            Undo = rollback.Later(objects, existing),
        };
    }

    /// <summary>
    /// Whatever exists under these names must be ours for this environment: applying over
    /// someone else's object would silently mark it ours, and a later removal delete it. The same
    /// <c>kubectl get</c> also looks up the namespace (one kubectl process fewer). Returns what
    /// exists (the record an atomic rollback works from), whether the namespace does, or the refusal.
    /// </summary>
    private async Task<(IReadOnlyList<(KubernetesObject Item, JsonNode Live)> Existing, bool NamespaceExists, HandlerResult? Refusal)> CheckOwnershipAsync(
        IReadOnlyList<KubernetesObject> objects, CancellationToken cancellationToken)
    {
        var namespaceProbe = NamespaceProbe(objects);
        var (found, lookupError) = await session.FindExistingAsync(namespaceProbe is null ? objects : [.. objects, namespaceProbe], cancellationToken);
        if (lookupError is not null) return ([], false, lookupError);
        var namespaceExists = found.Any(e => e.Item.Kind == "Namespace" && e.Item.Name == Settings.Namespace);
        var existing = found.Where(e => !ReferenceEquals(e.Item, namespaceProbe)).ToList();
        var foreign = existing.Where(e => session.Mark.Of(e.Live) != Ownership.Ours).ToList();
        if (foreign.Count == 0) return (existing, namespaceExists, null);

        return (existing, namespaceExists, HandlerResult.Errored(
            $"Refusing to apply: {session.Describe(foreign)} already exist(s) and carry no mark of this runner for environment '{session.Plan.Deployment.Environment}'; nothing was applied. "
            + $"If they are this environment's (deployed before the runner marked what it applies), adopt them once: {session.AdoptHint(foreign)}"));
    }

    /// <summary>
    /// Waits for each object's rollout in order; after the first that fails, the rest are not
    /// checked. Returns every object's result, the first failure's reason, or the stopped result.
    /// </summary>
    private async Task<(List<TargetResult> Targets, string? Failure, HandlerResult? Stopped)> AwaitRolloutsAsync(
        IReadOnlyList<KubernetesObject> objects, CancellationToken cancellationToken)
    {
        var targets = new List<TargetResult>();
        string? failure = null;
        foreach (var item in objects)
        {
            if (!item.HasRollout)
            {
                targets.Add(new TargetResult(item.Reference, TargetState.Applied, 0, TimeSpan.Zero));
                continue;
            }

            if (failure is not null)
            {
                targets.Add(new TargetResult(item.Reference, TargetState.NotChecked, null, TimeSpan.Zero, "an earlier rollout failed"));
                continue;
            }

            // The object's own namespace, else ours, else (neither given) the context's.
            var ns = item.Namespace ?? Settings.Namespace;
            var rollout = await session.Kubectl.RunAsync(
                ["rollout", "status", item.Reference, .. ns is null ? Array.Empty<string>() : ["--namespace", ns], $"--timeout={session.Timeout}", "--watch=true"],
                input: null, capture: false, cancellationToken);
            if (rollout.Cancelled)
                return (targets, null, KubectlSession.Stopped with { Targets = [.. targets, new TargetResult(item.Reference, TargetState.Cancelled, null, rollout.Duration)] });
            if (rollout.Succeeded)
            {
                targets.Add(new TargetResult(item.Reference, TargetState.RolledOut, 0, rollout.Duration));
                continue;
            }

            failure = rollout.Message.Contains("timed out", StringComparison.Ordinal)
                ? $"{item.Reference} did not finish rolling out within {DurationText.Format(Settings.RolloutTimeout)} (input `rollout-timeout`): {rollout.Message}"
                : $"{item.Reference} did not roll out: {rollout.Message}";
            targets.Add(new TargetResult(item.Reference, TargetState.Failed, rollout.ExitCode, rollout.Duration, rollout.Message));
        }

        return (targets, failure, null);
    }

    /// <summary>
    /// The namespace input as an object for the ownership lookup to fetch too, unless the
    /// manifests name it themselves (then it is checked like any of their objects). It is
    /// only looked up: the existing namespace is used as it is, whoever made it.
    /// </summary>
    private KubernetesObject? NamespaceProbe(IReadOnlyList<KubernetesObject> objects) =>
        Settings.Namespace is { } ns && !objects.Any(o => o.Kind == "Namespace" && o.Name == ns)
            ? Manifests.Read(ManagedNamespace.Manifest(ns, session.Plan.Deployment.Environment), "input `namespace`").Single()
            : null;

    /// <summary>Creates the namespace, marked as this environment's, unless it exists (then it is used as it is, and never marked).</summary>
    private async Task<HandlerResult?> EnsureNamespaceAsync(string ns, bool exists, CancellationToken cancellationToken)
    {
        if (exists) return null;

        // `create -f` (not `create namespace`) sends JSON and fails if the namespace appeared
        // in the meantime, so a namespace someone else made is never labelled as ours.
        var create = await session.Kubectl.RunAsync(["create", "-f", "-"], ManagedNamespace.Manifest(ns, session.Plan.Deployment.Environment), capture: false, cancellationToken);
        if (create.Cancelled) return KubectlSession.Stopped;
        return create.Succeeded ? null : HandlerResult.Errored($"kubectl could not create namespace {ns}: {create.Message}; nothing was applied.");
    }
}
