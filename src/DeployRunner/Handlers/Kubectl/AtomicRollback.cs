using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Input <c>atomic</c>: a failed apply or rollout (or a health check that fails afterwards) puts
/// the cluster back as it was before this deploy, as Helm's <c>--atomic</c> does. Objects this
/// deploy created (and that carry this environment's mark) are deleted, and every workload whose
/// pod template this deploy changed is undone with <c>kubectl rollout undo</c> to the revision it
/// had before the apply, then its rollout is awaited. The result stays <c>failure</c>, saying it
/// was rolled back; a rollback that itself fails is <c>error</c>, with both reasons.
/// </summary>
internal sealed class AtomicRollback(KubectlSession session)
{
    /// <summary>The annotation the Deployment controller keeps the current revision number in.</summary>
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <param name="failed">What failed, kept as the reason.</param>
    /// <param name="objects">Every object of the manifests, in apply order.</param>
    /// <param name="before">The objects that existed before the apply, with their live JSON then (from the ownership check).</param>
    public async Task<HandlerResult> RollBackIfAtomicAsync(
        HandlerResult failed,
        IReadOnlyList<KubernetesObject> objects,
        IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before,
        CancellationToken cancellationToken)
    {
        if (!session.Settings.Atomic) return failed;
        session.Context.Log.Warning($"Rolling back (input `atomic`): {failed.Reason}", "Rolling back");

        var progress = new Progress(failed.Targets.ToList());
        if (!await DeleteCreatedAsync(objects, before, progress, cancellationToken)
            || !await UndoChangedWorkloadsAsync(before, progress, cancellationToken))
        {
            return KubectlSession.Stopped with { Targets = [.. progress.Targets] };
        }

        var what = progress.Undone.Count == 0 ? "nothing this deploy changed was left to undo" : string.Join("; ", progress.Undone);
        if (progress.Problems.Count > 0)
        {
            return HandlerResult.Errored(
                $"{failed.Reason} The rollback (input `atomic`) failed too: {string.Join("; ", progress.Problems)}. Undone: {what}.", [.. progress.Targets]);
        }

        return HandlerResult.Failed($"rolled back (input `atomic`) after: {failed.Reason} Undone: {what}.", [.. progress.Targets]);
    }

    /// <summary>
    /// The same rollback, for when the health check (which wraps the handler and runs after it)
    /// fails, from the same record; null without <c>atomic</c>. The run's private kubeconfig is
    /// gone by then, so this writes its own for the rollback's kubectl calls.
    /// </summary>
    public Func<HandlerResult, CancellationToken, Task<HandlerResult>>? Later(
        IReadOnlyList<KubernetesObject> objects,
        IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before)
    {
        if (!session.Settings.Atomic) return null;
        var settings = session.Settings;
        return async (failed, cancellationToken) =>
        {
            using var kubeconfig = PrivateKubeconfig.Write(settings.Kubeconfig.Text);
            var later = new AtomicRollback(KubectlSession.Open(settings, session.Context, session.Plan, kubeconfig));
            return await later.RollBackIfAtomicAsync(failed, objects, before, cancellationToken);
        };
    }

    /// <summary>
    /// Deletes what this deploy created: absent before the apply, and carrying our mark now (an
    /// object someone made under the same name between the check and the apply is not ours to
    /// delete). A Namespace is left alone (it may hold what others put there since); <c>remove</c>
    /// deletes it when it is ours. False when stopped.
    /// </summary>
    private async Task<bool> DeleteCreatedAsync(
        IReadOnlyList<KubernetesObject> objects, IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before, Progress progress, CancellationToken cancellationToken)
    {
        var created = objects
            .Where(o => !before.Any(b => ReferenceEquals(b.Item, o)) && !(o.Kind == "Namespace" && o.ApiVersion == "v1"))
            .Reverse()
            .ToList();
        if (created.Count == 0) return true;

        var (now, lookupError) = await session.FindExistingAsync(created, cancellationToken);
        if (ReferenceEquals(lookupError, KubectlSession.Stopped)) return false;
        if (lookupError is not null)
        {
            progress.Problems.Add(lookupError.Reason);
            return true;
        }

        var ours = now.Where(n => session.Mark.Of(n.Live) == Ownership.Ours).Select(n => n.Item).ToList();
        if (ours.Count == 0) return true;

        var delete = await session.Kubectl.RunAsync(
            ["delete", "-f", "-", "--ignore-not-found", "--wait", $"--timeout={session.Timeout}", .. session.NamespaceArguments],
            Manifests.Render(ours), capture: false, cancellationToken);
        if (delete.Cancelled) return false;
        foreach (var item in ours)
        {
            progress.Targets.Add(delete.Succeeded
                ? new TargetResult(item.Reference, TargetState.RolledBack, 0, delete.Duration, "deleted: this deploy created it")
                : new TargetResult(item.Reference, TargetState.RollbackFailed, delete.ExitCode, delete.Duration, delete.Message));
        }

        var names = string.Join(", ", ours.Select(o => o.Reference));
        if (delete.Succeeded) progress.Undone.Add($"deleted {names}");
        else progress.Problems.Add($"kubectl delete of {names} failed: {delete.Message}");
        return true;
    }

    /// <summary>
    /// Undoes every workload that existed before the apply and whose pod template changed since
    /// (an unchanged template means this deploy made no new revision to undo). False when stopped.
    /// </summary>
    private async Task<bool> UndoChangedWorkloadsAsync(
        IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before, Progress progress, CancellationToken cancellationToken)
    {
        var workloads = before.Where(b => b.Item.HasRollout).ToList();
        if (workloads.Count == 0) return true;

        var (now, lookupError) = await session.FindExistingAsync([.. workloads.Select(w => w.Item)], cancellationToken);
        if (ReferenceEquals(lookupError, KubectlSession.Stopped)) return false;
        if (lookupError is not null)
        {
            progress.Problems.Add(lookupError.Reason);
            return true;
        }

        foreach (var (item, earlier) in workloads)
        {
            var later = now.FirstOrDefault(n => ReferenceEquals(n.Item, item)).Live;
            if (later is null)
            {
                progress.Problems.Add($"{item.Reference} no longer exists, so it cannot be rolled back");
                progress.Targets.Add(new TargetResult(item.Reference, TargetState.RollbackFailed, null, TimeSpan.Zero, "no longer exists"));
                continue;
            }

            if (JsonNode.DeepEquals(earlier["spec"]?["template"], later["spec"]?["template"])) continue;

            var ns = item.Namespace ?? session.Settings.Namespace;
            var recorded = RecordedRevision(earlier) ?? (item.Kind is "StatefulSet" or "DaemonSet" ? await RecordedControllerRevisionAsync(earlier, later, ns, cancellationToken) : null);
            var step = await session.UndoRolloutAsync(item.Reference, ns, recorded, cancellationToken);
            if (step is null) return false;
            progress.Targets.Add(step);
            if (step.State == TargetState.RolledBack) progress.Undone.Add($"{item.Reference} {step.Reason}");
            else progress.Problems.Add($"{item.Reference}: {step.Reason}");
        }

        return true;
    }

    /// <summary>
    /// A Deployment's revision number as it was before the apply. StatefulSets and DaemonSets
    /// keep theirs in ControllerRevisions, not on the object (see RecordedControllerRevisionAsync).
    /// </summary>
    private static long? RecordedRevision(JsonNode live) =>
        (string?)live["kind"] == "Deployment"
        && live["metadata"]?["annotations"]?[RevisionAnnotation] is JsonValue value
        && value.TryGetValue<string>(out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : null;

    /// <summary>
    /// The revision a StatefulSet or DaemonSet had before the apply. Their revisions live in
    /// ControllerRevisions, not on the object, so it is found only when a rollback is needed
    /// (no extra call on a deploy that succeeds): the ControllerRevision the workload
    /// controls (its uid) whose template (<c>data.spec.template</c>, the controllers' patch) is
    /// the template recorded before the apply. Null when there is none or it cannot be read:
    /// <c>rollout undo</c> then goes one revision back, which is the same one whenever this
    /// deploy made exactly one new revision.
    /// </summary>
    private async Task<long?> RecordedControllerRevisionAsync(JsonNode earlier, JsonNode later, string? ns, CancellationToken cancellationToken)
    {
        var uid = (string?)later["metadata"]?["uid"];
        if (uid is null || earlier["spec"]?["template"] is not JsonObject recorded) return null;
        string[] where = ns is null ? [] : ["--namespace", ns];
        var listed = await session.Kubectl.RunAsync(["get", "controllerrevisions.apps", "-o", "json", .. where], input: null, capture: true, cancellationToken);
        if (!listed.Succeeded) return null;
        try
        {
            foreach (var revision in KubectlSession.LiveItems(listed.Output))
            {
                var owned = revision["metadata"]?["ownerReferences"] is JsonArray owners
                            && owners.Any(o => (string?)o?["uid"] == uid && (bool?)o?["controller"] == true);
                if (!owned || revision["data"]?["spec"]?["template"] is not JsonObject stored) continue;
                var template = (JsonObject)stored.DeepClone();
                template.Remove("$patch");
                if (JsonNode.DeepEquals(template, recorded) && revision["revision"] is JsonValue number && number.TryGetValue<long>(out var value)) return value;
            }
        }
        catch (JsonException)
        {
            // Not JSON: go one back, as without a record.
        }

        return null;
    }

    /// <summary>What the rollback did so far: every object's result, what was undone, what could not be.</summary>
    private sealed record Progress(List<TargetResult> Targets)
    {
        public List<string> Undone { get; } = [];

        public List<string> Problems { get; } = [];
    }
}
