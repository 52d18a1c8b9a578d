using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The <c>rollback</c> task: every Deployment, StatefulSet and DaemonSet that carries this
/// environment's mark (in <c>namespace</c>, else the context's) goes back to its previous
/// revision with <c>kubectl rollout undo</c>, and its rollout is awaited. Only marked
/// workloads are touched: the label selector finds candidates, the full mark (with the
/// exact environment name) decides. The script is not run.
/// </summary>
internal sealed class KubectlRollbackTask(KubectlSession session)
{
    public async Task<HandlerResult> RunAsync(CancellationToken cancellationToken)
    {
        var selector = $"{OwnershipMark.ManagedByLabel}={OwnershipMark.ManagedByValue},{OwnershipMark.EnvironmentKey}={session.Mark.LabelValue}";
        var found = await session.Kubectl.RunAsync(
            ["get", "deployments.apps,statefulsets.apps,daemonsets.apps", "--selector", selector, "-o", "json", .. session.NamespaceArguments],
            input: null, capture: true, cancellationToken);
        if (found.Cancelled) return KubectlSession.Stopped;
        if (!found.Succeeded) return HandlerResult.Errored($"kubectl could not list the environment's workloads: {found.Message}; nothing was rolled back.");

        List<JsonNode> workloads;
        try
        {
            workloads = [.. KubectlSession.LiveItems(found.Output).Where(w => session.Mark.Of(w) == Ownership.Ours)];
        }
        catch (JsonException e)
        {
            return HandlerResult.Errored($"kubectl get printed something that is not JSON ({e.Message}); nothing was rolled back.");
        }

        var where = session.Settings.Namespace is null ? "" : $" in namespace {session.Settings.Namespace}";
        if (workloads.Count == 0)
        {
            return HandlerResult.Failed(
                $"No Deployment, StatefulSet or DaemonSet{where} carries this runner's mark for environment '{session.Plan.Deployment.Environment}': nothing to roll back.");
        }

        var targets = new List<TargetResult>();
        foreach (var live in workloads)
        {
            var reference = $"{((string?)live["kind"] ?? "").ToLowerInvariant()}/{(string?)live["metadata"]?["name"]}";
            var step = await session.UndoRolloutAsync(reference, (string?)live["metadata"]?["namespace"], revision: null, cancellationToken);
            if (step is null) return KubectlSession.Stopped with { Targets = [.. targets, new TargetResult(reference, TargetState.Cancelled, null, TimeSpan.Zero)] };
            targets.Add(step);
        }

        var failed = targets.Where(t => t.State != TargetState.RolledBack).ToList();
        if (failed.Count > 0)
        {
            return HandlerResult.Failed(
                $"Could not roll back {string.Join("; ", failed.Select(f => $"{f.Target}: {f.Reason}"))}. Rolled back: {targets.Count - failed.Count} of {targets.Count}.",
                [.. targets]);
        }

        // The description the deployment's status carries: what was rolled back, to what.
        var rolledBack = $"Rolled back {string.Join(", ", targets.Select(t => t.Target))}{where} to the previous revision";
        return HandlerResult.Succeeded(rolledBack, [.. targets]) with { Description = rolledBack };
    }
}
