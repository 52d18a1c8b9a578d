using System.Globalization;
using DeployRunner.Handlers.Shell;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using DeployRunner.Running;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// Deploys Kubernetes manifests with the real kubectl and waits for the rollouts; on
/// <c>remove</c>, deletes what the manifests describe, or the namespace this runner created.
/// </summary>
public sealed class KubectlHandler : IDeploymentHandler
{
    private readonly KubectlSettings _settings;
    private readonly HandlerContext _context;

    public KubectlHandler(InputSet inputs, HandlerContext context)
    {
        _settings = KubectlSettings.From(inputs, context.Workspace, context.JobEnvironment);
        _context = context;
        // Before anything can print: the kubeconfig input as a whole is masked by Program,
        // but once decoded from base64 its credentials are new strings.
        foreach (var secret in _settings.Kubeconfig.Secrets) context.Log.Mask(secret);
    }

    public async Task<HandlerResult> RunAsync(DeploymentPlan plan, CancellationToken cancellationToken)
    {
        using var kubeconfig = PrivateKubeconfig.Write(_settings.Kubeconfig.Text);
        var kubectl = new KubectlCli(_settings.KubectlPath, kubeconfig, _settings.Kubeconfig.Context, _context);
        var run = new Run(_settings, _context, plan, kubectl);
        return plan.IsRemoval ? await run.RemoveAsync(cancellationToken) : await run.DeployAsync(cancellationToken);
    }

    /// <summary>One deployment's steps, sharing the settings, the plan and kubectl.</summary>
    private sealed class Run(KubectlSettings settings, HandlerContext context, DeploymentPlan plan, KubectlCli kubectl)
    {
        private static readonly HandlerResult Stopped = HandlerResult.Errored("kubectl was stopped.");

        private string Timeout => $"{(long)Math.Ceiling(settings.RolloutTimeout.TotalSeconds)}s";

        private IEnumerable<string> NamespaceArguments => settings.Namespace is null ? [] : ["--namespace", settings.Namespace];

        public async Task<HandlerResult> DeployAsync(CancellationToken cancellationToken)
        {
            var (objects, renderError) = await RenderAsync(cancellationToken);
            if (renderError is not null) return renderError;
            if (objects.Count == 0) return HandlerResult.Errored("The manifests describe no objects: nothing to deploy.");

            var counts = ImageOverride.Apply(settings.Images, objects);
            var unused = settings.Images.Where((_, i) => counts[i] == 0).Select(o => o.Repository).ToList();
            if (unused.Count > 0)
            {
                return HandlerResult.Errored(
                    $"Input `images`: no container in the manifests uses {string.Join(", ", unused.Select(u => $"'{u}'"))}; nothing was applied. Images in the manifests: {string.Join(", ", ImagesIn(objects))}.");
            }

            if (settings.Namespace is not null)
            {
                var ensured = await EnsureNamespaceAsync(settings.Namespace, cancellationToken);
                if (ensured is not null) return ensured;
            }

            var apply = await kubectl.RunAsync(["apply", "-f", "-", .. NamespaceArguments], Manifests.Render(objects), capture: false, cancellationToken);
            if (apply.Cancelled) return Stopped;
            if (!apply.Succeeded)
            {
                return HandlerResult.Failed(
                    $"kubectl apply failed: {apply.Message}",
                    [.. objects.Select(o => new TargetResult(o.Reference, "not applied", apply.ExitCode, apply.Duration, apply.Message))]);
            }

            var targets = new List<TargetResult>();
            string? failure = null;
            foreach (var item in objects)
            {
                if (!item.HasRollout)
                {
                    targets.Add(new TargetResult(item.Reference, "applied", 0, TimeSpan.Zero));
                    continue;
                }

                if (failure is not null)
                {
                    targets.Add(new TargetResult(item.Reference, "not checked", null, TimeSpan.Zero, "an earlier rollout failed"));
                    continue;
                }

                // The object's own namespace, else ours, else (neither given) the context's.
                var ns = item.Namespace ?? settings.Namespace;
                var rollout = await kubectl.RunAsync(
                    ["rollout", "status", item.Reference, .. ns is null ? Array.Empty<string>() : ["--namespace", ns], $"--timeout={Timeout}", "--watch=true"],
                    input: null, capture: false, cancellationToken);
                if (rollout.Cancelled) return Stopped with { Targets = [.. targets, new TargetResult(item.Reference, "stopped", null, rollout.Duration)] };
                if (rollout.Succeeded)
                {
                    targets.Add(new TargetResult(item.Reference, "rolled out", 0, rollout.Duration));
                }
                else
                {
                    failure = rollout.Message.Contains("timed out", StringComparison.Ordinal)
                        ? $"{item.Reference} did not finish rolling out within {DeploymentReport.FormatDuration(settings.RolloutTimeout)} (input `rollout-timeout`): {rollout.Message}"
                        : $"{item.Reference} did not roll out: {rollout.Message}";
                    targets.Add(new TargetResult(item.Reference, "failed", rollout.ExitCode, rollout.Duration, rollout.Message));
                }
            }

            if (failure is not null) return HandlerResult.Failed(failure, [.. targets]);

            if (plan.Script is not null)
            {
                var script = await RunScriptAsync(plan.Script, cancellationToken);
                targets.Add(script);
                if (script.Result != "ok") return Conclude(script, $"The script after the rollout {script.Reason}.", targets);
            }

            var rolledOut = targets.Count(t => t.Result == "rolled out");
            return HandlerResult.Succeeded(
                string.Create(CultureInfo.InvariantCulture, $"Applied {objects.Count} object(s){(settings.Namespace is null ? "" : $" to namespace {settings.Namespace}")}; {rolledOut} rollout(s) finished."),
                [.. targets]);
        }

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

        /// <summary>Reads the manifests in order; kustomization folders are built by <c>kubectl kustomize</c>.</summary>
        private async Task<(IReadOnlyList<KubernetesObject> Objects, HandlerResult? Error)> RenderAsync(CancellationToken cancellationToken)
        {
            var objects = new List<KubernetesObject>();
            foreach (var source in settings.Manifests)
            {
                var name = Path.GetRelativePath(context.Workspace, source.Path);
                if (!source.IsKustomization)
                {
                    objects.AddRange(Manifests.Read(await File.ReadAllTextAsync(source.Path, cancellationToken), name));
                    continue;
                }

                var built = await kubectl.RunAsync(["kustomize", source.Path], input: null, capture: true, cancellationToken);
                if (built.Cancelled) return ([], Stopped);
                if (!built.Succeeded) return ([], HandlerResult.Errored($"kubectl kustomize {name} failed: {built.Message}; nothing was applied."));
                objects.AddRange(Manifests.Read(built.Output, $"{name} (kustomize)"));
            }

            return (objects, null);
        }

        /// <summary>Creates the namespace, labelled as ours, unless it exists (then it is used as it is, and never labelled).</summary>
        private async Task<HandlerResult?> EnsureNamespaceAsync(string ns, CancellationToken cancellationToken)
        {
            var found = await kubectl.RunAsync(["get", "namespace", ns, "-o", "json", "--ignore-not-found"], input: null, capture: true, cancellationToken);
            if (found.Cancelled) return Stopped;
            if (!found.Succeeded) return HandlerResult.Errored($"kubectl could not look up namespace {ns}: {found.Message}; nothing was applied.");
            if (found.Output.Trim().Length > 0) return null;

            // `create -f` (not `create namespace`) sends JSON and fails if the namespace appeared
            // in the meantime, so a namespace someone else made is never labelled as ours.
            var create = await kubectl.RunAsync(["create", "-f", "-"], ManagedNamespace.Manifest(ns, plan.Deployment.Environment), capture: false, cancellationToken);
            if (create.Cancelled) return Stopped;
            return create.Succeeded ? null : HandlerResult.Errored($"kubectl could not create namespace {ns}: {create.Message}; nothing was applied.");
        }

        private async Task<TargetResult> RunScriptAsync(string script, CancellationToken cancellationToken)
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["KUBECONFIG"] = kubectl.Environment()["KUBECONFIG"]! };
            if (settings.Namespace is not null) variables["DEPLOY_NAMESPACE"] = settings.Namespace;
            var outcome = await ShellHandler.RunScriptAsync(script, plan, variables, context, cancellationToken);
            return outcome switch
            {
                { Cancelled: true } => new TargetResult("script", "stopped", null, outcome.Duration, "was stopped"),
                { ExitCode: 0 } => new TargetResult("script", "ok", 0, outcome.Duration),
                _ => new TargetResult("script", "failed", outcome.ExitCode, outcome.Duration, $"exited with code {outcome.ExitCode}"),
            };
        }

        private static HandlerResult Conclude(TargetResult script, string reason, List<TargetResult> targets) =>
            script.Result == "stopped" ? Stopped with { Targets = [.. targets] } : HandlerResult.Failed(reason, [.. targets]);

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
