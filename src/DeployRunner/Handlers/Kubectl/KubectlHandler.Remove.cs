namespace DeployRunner.Handlers.Kubectl;

public sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        /// <summary>
        /// The remove-script, then the namespace (only ours) or the objects the manifests describe.
        /// </summary>
        public async Task<HandlerResult> RemoveAsync(CancellationToken cancellationToken)
        {
            var targets = new List<TargetResult>();
            if (plan.Script is not null)
            {
                var script = await RunScriptAsync(plan.Script, cancellationToken);
                targets.Add(script);
                if (script.Result != "ok") return Conclude(script, $"The remove-script {script.Reason}; nothing was deleted.", targets);
            }

            if (settings.RemoveNamespace)
            {
                var ns = settings.Namespace!;
                var found = await kubectl.RunAsync(["get", "namespace", ns, "-o", "json", "--ignore-not-found"], input: null, capture: true, cancellationToken);
                if (found.Cancelled) return Stopped;
                if (!found.Succeeded) return HandlerResult.Errored($"kubectl could not look up namespace {ns}: {found.Message}", [.. targets]);
                if (found.Output.Trim().Length == 0)
                    return HandlerResult.Succeeded($"Namespace {ns} does not exist: nothing to remove.", [.. targets, new TargetResult($"namespace/{ns}", "absent", 0, found.Duration)]);

                if (ManagedNamespace.IsOurs(found.Output, plan.Deployment.Environment))
                {
                    var delete = await kubectl.RunAsync(["delete", "namespace", ns, "--ignore-not-found", "--wait", $"--timeout={Timeout}"], input: null, capture: false, cancellationToken);
                    if (delete.Cancelled) return Stopped;
                    var target = new TargetResult($"namespace/{ns}", delete.Succeeded ? "deleted" : "failed", delete.ExitCode, delete.Duration, delete.Succeeded ? null : delete.Message);
                    return delete.Succeeded
                        ? HandlerResult.Succeeded($"Deleted namespace {ns} and everything in it.", [.. targets, target])
                        : HandlerResult.Failed($"kubectl could not delete namespace {ns}: {delete.Message}", [.. targets, target]);
                }

                context.Log.Warning(
                    $"Namespace {ns} was not created by this runner for environment '{plan.Deployment.Environment}' (it lacks the label {ManagedNamespace.ManagedByLabel}={ManagedNamespace.ManagedByValue} and {ManagedNamespace.EnvironmentKey}): it is left alone.",
                    "Namespace kept");
                targets.Add(new TargetResult($"namespace/{ns}", "kept", null, found.Duration, "not created by this runner"));
                if (settings.Manifests.Count == 0)
                    return HandlerResult.Failed($"Namespace {ns} was not created by this runner, so it was not deleted, and there are no `manifests` to delete instead.", [.. targets]);
            }

            return await DeleteManifestObjectsAsync(targets, cancellationToken);
        }

        private async Task<HandlerResult> DeleteManifestObjectsAsync(List<TargetResult> targets, CancellationToken cancellationToken)
        {
            var (objects, renderError) = await RenderAsync(cancellationToken);
            if (renderError is not null) return renderError with { Targets = [.. targets, .. renderError.Targets] };

            // A Namespace in the manifests is not deleted this way: that would take everything
            // in it, including what the manifests do not describe. `remove-namespace` does that,
            // and only for a namespace this runner created.
            var deletable = objects.Where(o => !(o.Kind == "Namespace" && o.ApiVersion == "v1")).Reverse().ToList();
            if (deletable.Count == 0)
                return HandlerResult.Succeeded("The manifests describe nothing to delete.", [.. targets]);

            var delete = await kubectl.RunAsync(
                ["delete", "-f", "-", "--ignore-not-found", "--wait", $"--timeout={Timeout}", .. NamespaceArguments],
                Manifests.Render(deletable), capture: false, cancellationToken);
            if (delete.Cancelled) return Stopped;
            targets.AddRange(deletable.Select(o => new TargetResult(o.Reference, delete.Succeeded ? "deleted" : "failed", delete.ExitCode, delete.Duration, delete.Succeeded ? null : delete.Message)));
            return delete.Succeeded
                ? HandlerResult.Succeeded($"Deleted {deletable.Count} object(s) described by the manifests.", [.. targets])
                : HandlerResult.Failed($"kubectl delete failed: {delete.Message}", [.. targets]);
        }
    }
}
