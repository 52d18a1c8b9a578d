using System.Globalization;
using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        /// <summary>The annotation the Deployment controller keeps the current revision number in.</summary>
        private const string RevisionAnnotation = "deployment.kubernetes.io/revision";

        /// <summary>
        /// With input <c>atomic</c>, a failed apply or rollout puts the cluster back as it was
        /// before this deploy, as Helm's <c>--atomic</c> does: objects this deploy created (and
        /// that carry this environment's mark) are deleted, and every workload whose pod template
        /// this deploy changed is undone with <c>kubectl rollout undo</c> to the revision it had
        /// before the apply, then its rollout is awaited. The result stays <c>failure</c>, saying
        /// it was rolled back; a rollback that itself fails is <c>error</c>, with both reasons.
        /// </summary>
        /// <param name="before">The objects that existed before the apply, with their live JSON then (from the ownership check).</param>
        private async Task<HandlerResult> RollBackIfAtomicAsync(
            HandlerResult failed,
            IReadOnlyList<KubernetesObject> objects,
            IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before,
            CancellationToken cancellationToken)
        {
            if (!settings.Atomic) return failed;
            context.Log.Warning($"Rolling back (input `atomic`): {failed.Reason}", "Rolling back");

            var targets = failed.Targets.ToList();
            var undone = new List<string>();
            var problems = new List<string>();

            // Created by this deploy: absent before the apply. A Namespace is left alone (it may
            // hold what others put there since); `remove` deletes it when it is ours.
            var created = objects
                .Where(o => !before.Any(b => ReferenceEquals(b.Item, o)) && !(o.Kind == "Namespace" && o.ApiVersion == "v1"))
                .Reverse()
                .ToList();
            if (created.Count > 0)
            {
                var (now, lookupError) = await FindExistingAsync(created, cancellationToken);
                if (ReferenceEquals(lookupError, Stopped)) return Stopped with { Targets = [.. targets] };
                if (lookupError is not null)
                {
                    problems.Add(lookupError.Reason);
                }
                else
                {
                    // Only what carries our mark: an object someone made under the same name
                    // between the check and the apply is not ours to delete.
                    var ours = now.Where(n => Mark.Of(n.Live) == Ownership.Ours).Select(n => n.Item).ToList();
                    if (ours.Count > 0)
                    {
                        var delete = await kubectl.RunAsync(
                            ["delete", "-f", "-", "--ignore-not-found", "--wait", $"--timeout={Timeout}", .. NamespaceArguments],
                            Manifests.Render(ours), capture: false, cancellationToken);
                        if (delete.Cancelled) return Stopped with { Targets = [.. targets] };
                        foreach (var item in ours)
                        {
                            targets.Add(delete.Succeeded
                                ? new TargetResult(item.Reference, TargetState.RolledBack, 0, delete.Duration, "deleted: this deploy created it")
                                : new TargetResult(item.Reference, TargetState.RollbackFailed, delete.ExitCode, delete.Duration, delete.Message));
                        }

                        if (delete.Succeeded) undone.Add($"deleted {string.Join(", ", ours.Select(o => o.Reference))}");
                        else problems.Add($"kubectl delete of {string.Join(", ", ours.Select(o => o.Reference))} failed: {delete.Message}");
                    }
                }
            }

            var workloads = before.Where(b => b.Item.HasRollout).ToList();
            if (workloads.Count > 0)
            {
                var (now, lookupError) = await FindExistingAsync([.. workloads.Select(w => w.Item)], cancellationToken);
                if (ReferenceEquals(lookupError, Stopped)) return Stopped with { Targets = [.. targets] };
                if (lookupError is not null)
                {
                    problems.Add(lookupError.Reason);
                }
                else
                {
                    foreach (var (item, earlier) in workloads)
                    {
                        var later = now.FirstOrDefault(n => ReferenceEquals(n.Item, item)).Live;
                        if (later is null)
                        {
                            problems.Add($"{item.Reference} no longer exists, so it cannot be rolled back");
                            targets.Add(new TargetResult(item.Reference, TargetState.RollbackFailed, null, TimeSpan.Zero, "no longer exists"));
                            continue;
                        }

                        // Unchanged pod template: this deploy made no new revision to undo.
                        if (JsonNode.DeepEquals(earlier["spec"]?["template"], later["spec"]?["template"])) continue;

                        var ns = item.Namespace ?? settings.Namespace;
                        var recorded = RecordedRevision(earlier) ?? (item.Kind is "StatefulSet" or "DaemonSet" ? await RecordedControllerRevisionAsync(earlier, later, ns, cancellationToken) : null);
                        var step = await UndoAsync(item.Reference, ns, recorded, cancellationToken);
                        if (step is null) return Stopped with { Targets = [.. targets] };
                        targets.Add(step);
                        if (step.State == TargetState.RolledBack) undone.Add($"{item.Reference} {step.Reason}");
                        else problems.Add($"{item.Reference}: {step.Reason}");
                    }
                }
            }

            var what = undone.Count == 0 ? "nothing this deploy changed was left to undo" : string.Join("; ", undone);
            if (problems.Count > 0)
            {
                return HandlerResult.Errored(
                    $"{failed.Reason} The rollback (input `atomic`) failed too: {string.Join("; ", problems)}. Undone: {what}.", [.. targets]);
            }

            return HandlerResult.Failed($"rolled back (input `atomic`) after: {failed.Reason} Undone: {what}.", [.. targets]);
        }

        /// <summary>
        /// <c>kubectl rollout undo</c> to <paramref name="revision"/> (the previous one when
        /// unknown), then waits for that rollout. Null when stopped.
        /// </summary>
        private async Task<TargetResult?> UndoAsync(string reference, string? ns, long? revision, CancellationToken cancellationToken)
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
    }
}
