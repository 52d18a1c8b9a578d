namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The <c>remove</c> task: the remove-script, then the namespace (only one marked for this
/// environment) or the objects the manifests describe that carry this environment's mark.
/// Nothing else is deleted.
/// </summary>
internal sealed class KubectlRemoval(KubectlSession session)
{
    public async Task<HandlerResult> RunAsync(CancellationToken cancellationToken)
    {
        var targets = new List<TargetResult>();
        if (session.Plan.Script is not null)
        {
            var script = await session.RunScriptAsync(session.Plan.Script, cancellationToken);
            targets.Add(script);
            if (script.State != TargetState.Ok) return KubectlSession.Conclude(script, $"The remove-script {script.Reason}; nothing was deleted.", targets);
        }

        if (session.Settings.RemoveNamespace)
        {
            var ns = session.Settings.Namespace!;
            var found = await session.Kubectl.RunAsync(["get", "namespace", ns, "-o", "json", "--ignore-not-found"], input: null, capture: true, cancellationToken);
            if (found.Cancelled) return KubectlSession.Stopped;
            if (!found.Succeeded) return HandlerResult.Errored($"kubectl could not look up namespace {ns}: {found.Message}", [.. targets]);
            if (found.Output.Trim().Length == 0)
                return HandlerResult.Succeeded($"Namespace {ns} does not exist: nothing to remove.", [.. targets, new TargetResult($"namespace/{ns}", TargetState.Absent, 0, found.Duration)]);

            if (ManagedNamespace.IsOurs(found.Output, session.Plan.Deployment.Environment))
            {
                var delete = await session.Kubectl.RunAsync(["delete", "namespace", ns, "--ignore-not-found", "--wait", $"--timeout={session.Timeout}"], input: null, capture: false, cancellationToken);
                if (delete.Cancelled) return KubectlSession.Stopped;
                var target = new TargetResult($"namespace/{ns}", delete.Succeeded ? TargetState.Deleted : TargetState.Failed, delete.ExitCode, delete.Duration, delete.Succeeded ? null : delete.Message);
                return delete.Succeeded
                    ? HandlerResult.Succeeded($"Deleted namespace {ns} and everything in it.", [.. targets, target])
                    : HandlerResult.Failed($"kubectl could not delete namespace {ns}: {delete.Message}", [.. targets, target]);
            }

            session.Context.Log.Warning(
                $"Namespace {ns} was not created by this runner for environment '{session.Plan.Deployment.Environment}' (it lacks the mark: labels {OwnershipMark.ManagedByLabel}={OwnershipMark.ManagedByValue} and {OwnershipMark.EnvironmentKey}={session.Mark.LabelValue}, annotation {OwnershipMark.EnvironmentKey}): it is left alone.",
                "Namespace kept");
            targets.Add(new TargetResult($"namespace/{ns}", TargetState.Kept, null, found.Duration, "not created by this runner"));
            if (session.Settings.Manifests.Count == 0)
                return HandlerResult.Failed($"Namespace {ns} was not created by this runner, so it was not deleted, and there are no `manifests` to delete instead.", [.. targets]);
        }

        return await DeleteManifestObjectsAsync(targets, cancellationToken);
    }

    private async Task<HandlerResult> DeleteManifestObjectsAsync(List<TargetResult> targets, CancellationToken cancellationToken)
    {
        var (objects, renderError) = await session.RenderAsync(offline: null, cancellationToken);
        if (renderError is not null) return renderError with { Targets = [.. targets, .. renderError.Targets] };

        // A Namespace in the manifests is not deleted this way: that would take everything
        // in it, including what the manifests do not describe. `remove-namespace` does that,
        // and only for a namespace this runner created.
        var deletable = objects.Where(o => !(o.Kind == "Namespace" && o.ApiVersion == "v1")).Reverse().ToList();
        if (deletable.Count == 0)
            return HandlerResult.Succeeded("The manifests describe nothing to delete.", [.. targets]);

        // Only what carries this environment's mark is deleted; an object by the same name
        // that someone else made (or another environment) is left alone and named.
        var (existing, lookupError) = await session.FindExistingAsync(deletable, cancellationToken);
        if (lookupError is not null) return lookupError with { Targets = [.. targets] };
        var ours = existing.Where(e => session.Mark.Of(e.Live) == Ownership.Ours).Select(e => e.Item).ToList();
        var foreign = existing.Where(e => session.Mark.Of(e.Live) != Ownership.Ours).ToList();
        targets.AddRange(deletable.Where(o => !existing.Any(e => ReferenceEquals(e.Item, o))).Select(o => new TargetResult(o.Reference, TargetState.Absent, 0, TimeSpan.Zero)));
        targets.AddRange(foreign.Select(f => new TargetResult(f.Item.Reference, TargetState.Kept, null, TimeSpan.Zero, "not deployed by this runner for this environment")));
        if (foreign.Count > 0)
        {
            session.Context.Log.Warning(
                $"Left alone, not deployed by this runner for environment '{session.Plan.Deployment.Environment}': {session.Describe(foreign)}.",
                "Objects kept");
        }

        if (ours.Count > 0)
        {
            var delete = await session.Kubectl.RunAsync(
                ["delete", "-f", "-", "--ignore-not-found", "--wait", $"--timeout={session.Timeout}", .. session.NamespaceArguments],
                Manifests.Render(ours), capture: false, cancellationToken);
            if (delete.Cancelled) return KubectlSession.Stopped;
            targets.AddRange(ours.Select(o => new TargetResult(o.Reference, delete.Succeeded ? TargetState.Deleted : TargetState.Failed, delete.ExitCode, delete.Duration, delete.Succeeded ? null : delete.Message)));
            if (!delete.Succeeded) return HandlerResult.Failed($"kubectl delete failed: {delete.Message}", [.. targets]);
        }

        if (foreign.Count > 0)
        {
            return HandlerResult.Failed(
                $"{foreign.Count} object(s) of the manifests were left alone because they carry no mark of this runner for environment '{session.Plan.Deployment.Environment}': {session.Describe(foreign)}. "
                + $"Deleted {ours.Count}. If they are this environment's, adopt them ({session.AdoptHint(foreign)}) and remove again.",
                [.. targets]);
        }

        return HandlerResult.Succeeded(
            ours.Count == 0 ? "Nothing the manifests describe exists: nothing to delete." : $"Deleted {ours.Count} object(s) this runner deployed for the environment.",
            [.. targets]);
    }
}
