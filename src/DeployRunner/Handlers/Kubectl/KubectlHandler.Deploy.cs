using System.Globalization;
using DeployRunner.Workflow;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        /// <summary>
        /// Render, substitute images, check that nothing by those names belongs to someone else,
        /// mark every object as this environment's, make sure of the namespace, apply, wait for
        /// every rollout, then the script. Nothing is applied when an earlier step finds a problem.
        /// </summary>
        public async Task<HandlerResult> DeployAsync(CancellationToken cancellationToken)
        {
            var (objects, renderError) = await RenderAsync(offline: null, cancellationToken);
            if (renderError is not null) return renderError;
            if (objects.Count == 0) return HandlerResult.Errored("The manifests describe no objects: nothing to deploy.");

            if (UnusedImageOverrides(objects) is { } unused) return HandlerResult.Errored(unused);

            // Whatever exists under these names must be ours for this environment: applying over
            // someone else's object would silently mark it ours, and a later removal delete it.
            // The same `kubectl get` also looks up the namespace (one kubectl process fewer).
            var namespaceProbe = NamespaceProbe(objects);
            var (found, lookupError) = await FindExistingAsync(namespaceProbe is null ? objects : [.. objects, namespaceProbe], cancellationToken);
            if (lookupError is not null) return lookupError;
            var namespaceExists = found.Any(e => e.Item.Kind == "Namespace" && e.Item.Name == settings.Namespace);
            var existing = found.Where(e => !ReferenceEquals(e.Item, namespaceProbe)).ToList();
            var foreign = existing.Where(e => Mark.Of(e.Live) != Ownership.Ours).ToList();
            if (foreign.Count > 0)
            {
                return HandlerResult.Errored(
                    $"Refusing to apply: {Describe(foreign)} already exist(s) and carry no mark of this runner for environment '{plan.Deployment.Environment}'; nothing was applied. "
                    + $"If they are this environment's (deployed before the runner marked what it applies), adopt them once: {AdoptHint(foreign)}");
            }

            foreach (var item in objects) Mark.Stamp(item.Node);

            if (settings.Namespace is not null)
            {
                var ensured = await EnsureNamespaceAsync(settings.Namespace, namespaceExists, cancellationToken);
                if (ensured is not null) return ensured;
            }

            var apply = await kubectl.RunAsync(["apply", "-f", "-", .. NamespaceArguments], Manifests.Render(objects), capture: false, cancellationToken);
            if (apply.Cancelled) return Stopped;
            if (!apply.Succeeded)
            {
                return await RollBackIfAtomicAsync(
                    HandlerResult.Failed(
                        $"kubectl apply failed: {apply.Message}",
                        [.. objects.Select(o => new TargetResult(o.Reference, TargetState.ApplyFailed, apply.ExitCode, apply.Duration, apply.Message))]),
                    objects, existing, cancellationToken);
            }

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
                var ns = item.Namespace ?? settings.Namespace;
                var rollout = await kubectl.RunAsync(
                    ["rollout", "status", item.Reference, .. ns is null ? Array.Empty<string>() : ["--namespace", ns], $"--timeout={Timeout}", "--watch=true"],
                    input: null, capture: false, cancellationToken);
                if (rollout.Cancelled) return Stopped with { Targets = [.. targets, new TargetResult(item.Reference, TargetState.Cancelled, null, rollout.Duration)] };
                if (rollout.Succeeded)
                {
                    targets.Add(new TargetResult(item.Reference, TargetState.RolledOut, 0, rollout.Duration));
                }
                else
                {
                    failure = rollout.Message.Contains("timed out", StringComparison.Ordinal)
                        ? $"{item.Reference} did not finish rolling out within {DurationText.Format(settings.RolloutTimeout)} (input `rollout-timeout`): {rollout.Message}"
                        : $"{item.Reference} did not roll out: {rollout.Message}";
                    targets.Add(new TargetResult(item.Reference, TargetState.Failed, rollout.ExitCode, rollout.Duration, rollout.Message));
                }
            }

            if (failure is not null) return await RollBackIfAtomicAsync(HandlerResult.Failed(failure, [.. targets]), objects, existing, cancellationToken);

            if (plan.Script is not null)
            {
                var script = await RunScriptAsync(plan.Script, cancellationToken);
                targets.Add(script);
                if (script.State != TargetState.Ok) return Conclude(script, $"The script after the rollout {script.Reason}.", targets);
            }

            var rolledOut = targets.Count(t => t.State == TargetState.RolledOut);
            return HandlerResult.Succeeded(
                string.Create(CultureInfo.InvariantCulture, $"Applied {objects.Count} object(s){(settings.Namespace is null ? "" : $" to namespace {settings.Namespace}")}; {rolledOut} rollout(s) finished."),
                [.. targets]) with
            {
                // A health check that fails after this success is a failed deploy too: with `atomic`
                // it is undone like a failed rollout, from the same record.
                Undo = UndoLater(objects, existing),
            };
        }

        /// <summary>
        /// The namespace input as an object for the ownership lookup to fetch too, unless the
        /// manifests name it themselves (then it is checked like any of their objects). It is
        /// only looked up: the existing namespace is used as it is, whoever made it.
        /// </summary>
        private KubernetesObject? NamespaceProbe(IReadOnlyList<KubernetesObject> objects) =>
            settings.Namespace is { } ns && !objects.Any(o => o.Kind == "Namespace" && o.Name == ns)
                ? Manifests.Read(ManagedNamespace.Manifest(ns, plan.Deployment.Environment), "input `namespace`").Single()
                : null;

        /// <summary>Creates the namespace, marked as this environment's, unless it exists (then it is used as it is, and never marked).</summary>
        private async Task<HandlerResult?> EnsureNamespaceAsync(string ns, bool exists, CancellationToken cancellationToken)
        {
            if (exists) return null;

            // `create -f` (not `create namespace`) sends JSON and fails if the namespace appeared
            // in the meantime, so a namespace someone else made is never labelled as ours.
            var create = await kubectl.RunAsync(["create", "-f", "-"], ManagedNamespace.Manifest(ns, plan.Deployment.Environment), capture: false, cancellationToken);
            if (create.Cancelled) return Stopped;
            return create.Succeeded ? null : HandlerResult.Errored($"kubectl could not create namespace {ns}: {create.Message}; nothing was applied.");
        }
    }
}
