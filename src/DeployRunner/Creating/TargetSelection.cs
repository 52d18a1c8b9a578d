using DeployRunner.Configuration;

namespace DeployRunner.Creating;

/// <summary>The targets an event deploys, in file order, or the one line that says why none.</summary>
internal sealed record TargetSelection(IReadOnlyList<DeployTarget> Targets, string? NothingToDo)
{
    /// <summary>
    /// Input <c>target</c> names one (its <c>auto_deploy_on</c> is not consulted: the workflow's
    /// own <c>on:</c> decided); otherwise a push deploys every target whose <c>auto_deploy_on</c>
    /// matches the pushed ref and a pull request every <c>auto_deploy_on: pr</c> target. A
    /// <c>workflow_dispatch</c> must name its target. Without a deploy.yml, input <c>target</c>
    /// is a target of that name whose environment is its name.
    /// </summary>
    public static TargetSelection Select(DeployConfig? config, CreationTrigger trigger, string? requested, string configName)
    {
        var targets = config?.Targets.Where(t => !t.Name.StartsWith('.')).ToList() ?? [];
        if (requested is not null)
        {
            if (config is null)
                return new([new DeployTarget(requested, requested, [], new ConfigLocation("input `target`", 0, 0))], null);
            var named = targets.FirstOrDefault(t => t.Name == requested);
            if (named is not null) return new([named], null);
            var nearest = DeployConfig.Nearest(requested, targets.Select(t => t.Name));
            throw new ConfigurationException(
                $"Input `target` is '{requested}', which is not a target in {config.File}"
                + (nearest is null ? "" : $": did you mean '{nearest}'?")
                + $" Targets: {Names(targets)}. Nothing was created.", setting: "target");
        }

        if (config is null)
        {
            throw new ConfigurationException(
                $"Nothing says what a {trigger.Describe} deploys: {configName} does not exist and input `target` is empty. "
                + "Set `target:` under `with:` (the environment's name), or add .github/deploy.yml with a target whose `auto_deploy_on` matches (see examples/workflows/).", setting: "target");
        }

        switch (trigger.EventName)
        {
            case "workflow_dispatch":
                throw new ConfigurationException(
                    $"A workflow_dispatch deploys the target input `target` names, and it is empty. Pass it from the workflow's inputs (`target: ${{{{ inputs.target }}}}`). Targets in {config.File}: {Names(targets)}.", setting: "target");
            case "push":
                var pushed = targets.Where(t => t.Creation.DeploysPushOf(trigger.GitRef)).ToList();
                return pushed.Count > 0
                    ? new(pushed, null)
                    : new([], $"The push of {trigger.GitRef} matches no target's `auto_deploy_on` in {config.File} ({Describe(targets)}): nothing to deploy.");
            default:
                var reviewApps = targets.Where(t => t.Creation.DeploysPullRequests).ToList();
                return reviewApps.Count > 0
                    ? new(reviewApps, null)
                    : new([], $"No target in {config.File} has `auto_deploy_on: pr` ({Describe(targets)}): no review app to deploy for {trigger.Describe}.");
        }
    }

    private static string Names(IReadOnlyList<DeployTarget> targets) => targets.Count == 0 ? "none" : string.Join(", ", targets.Select(t => t.Name));

    private static string Describe(IReadOnlyList<DeployTarget> targets) => targets.Count == 0
        ? "it has no targets"
        : string.Join("; ", targets.Select(t => $"{t.Name}: {(t.Creation.AutoDeployOn.Count == 0 ? "none" : string.Join(", ", t.Creation.AutoDeployOn))}"));
}
