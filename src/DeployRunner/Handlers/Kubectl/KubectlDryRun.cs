using DeployRunner.Planning;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>What <c>--dry-run</c> adds for the kubectl handler: whether a failure would be rolled back, and what is recorded for that.</summary>
internal static class KubectlDryRun
{
    public static IEnumerable<string> Lines(DeploymentPlan plan, bool atomic)
    {
        if (plan.IsRemoval) yield break;
        if (plan.IsRollback)
        {
            yield return $"Rollback: every Deployment, StatefulSet and DaemonSet carrying this runner's mark for environment '{plan.Deployment.Environment}' "
                + "would go back to its previous revision (kubectl rollout undo), and its rollout would be awaited.";
            yield break;
        }

        yield return atomic
            ? "Atomic: on. Before the apply, each existing workload's pod template and revision (annotation deployment.kubernetes.io/revision of a Deployment) "
              + "would be recorded; if the apply or a rollout failed, every workload whose template changed would be undone to its recorded revision "
              + "(kubectl rollout undo --to-revision) and every object this deploy created, carrying this runner's mark, deleted."
            : "Atomic: off. A failed rollout would be left where it stopped (input `atomic: true` rolls it back).";
    }
}
