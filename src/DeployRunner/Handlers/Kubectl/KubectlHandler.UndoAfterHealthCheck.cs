using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        /// <summary>
        /// <c>atomic</c> when the health check (which wraps the handler and runs after it) fails:
        /// the same rollback as after a failed rollout, from the same record. The run's private
        /// kubeconfig is gone by then, so this writes its own for the rollback's kubectl calls.
        /// </summary>
        private Func<HandlerResult, CancellationToken, Task<HandlerResult>>? UndoLater(
            IReadOnlyList<KubernetesObject> objects,
            IReadOnlyList<(KubernetesObject Item, JsonNode Live)> before)
        {
            if (!settings.Atomic) return null;
            return async (failed, cancellationToken) =>
            {
                using var kubeconfig = PrivateKubeconfig.Write(settings.Kubeconfig.Text);
                var later = new Run(settings, context, plan, new KubectlCli(settings.KubectlPath, kubeconfig, settings.Kubeconfig.Context, context));
                return await later.RollBackIfAtomicAsync(failed, objects, before, cancellationToken);
            };
        }
    }
}
