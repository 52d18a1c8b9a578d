using DeployRunner.Configuration;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.Planning;

/// <summary>
/// From a deployment to something runnable, checking everything first: the config file and the
/// deployment's target, the effective settings (inputs, runner block, allowed payload values,
/// placeholders), the plan, and the handler with its own inputs. Any problem is a
/// <see cref="ConfigurationException"/> that points at where the bad value was set, raised before
/// any status is posted.
/// </summary>
internal sealed class DeploymentPreparer(InputSet inputs, RunnerEnvironment environment, HandlerContext context)
{
    private DeployConfig? _config;
    private bool _configLoaded;

    /// <summary>
    /// Uses this config instead of the workspace's file: a comment command reads deploy.yml from
    /// the default branch through the API, never from the checkout a pull request controls.
    /// Its warnings are said here, once.
    /// </summary>
    public void UseConfig(DeployConfig? config)
    {
        _config = config;
        _configLoaded = true;
        foreach (var warning in config?.Warnings ?? []) context.Log.Warning(warning, "deploy.yml");
    }

    /// <summary>The config file, read once per run (a teardown or several created deployments prepare many times); its warnings said once.</summary>
    public async Task<DeployConfig?> LoadConfigAsync(CancellationToken cancellationToken)
    {
        if (_configLoaded) return _config;
        _config = await EffectiveSettings.LoadConfigAsync(inputs, environment.Workspace, cancellationToken);
        _configLoaded = true;
        foreach (var warning in _config?.Warnings ?? []) context.Log.Warning(warning, "deploy.yml");
        return _config;
    }

    public async Task<PreparedDeployment> PrepareAsync(DeploymentEvent deploymentEvent, CancellationToken cancellationToken)
    {
        var config = await LoadConfigAsync(cancellationToken);
        var settings = EffectiveSettings.Resolve(inputs, config, deploymentEvent.Deployment, context.Log);
        if (settings.Target is { } target)
        {
            context.Log.Info(target.Runner.Count == 0
                ? $"Target `{target.Name}` of {config!.File}: no runner block, the inputs apply."
                : $"Target `{target.Name}` of {config!.File}: {string.Join(", ", target.Runner.Select(r => r.Name))} from the file.");
        }

        try
        {
            var plan = DeploymentPlanner.Create(deploymentEvent, settings.Settings, environment);
            var handler = HandlerCatalog.Create(plan.HandlerName, settings.Settings, context);
            if (!plan.IsRemoval && handler.HasNothingToRun(plan))
            {
                throw new ConfigurationException(
                    $"Input `script` is empty, so the {plan.HandlerName} handler has nothing to run for task '{plan.Deployment.Task}'; a deployment that does nothing is not reported as a success. "
                    + "Set `script:` under `with:` in the workflow step (or in the target's `runner:` block), or pass --script locally.", setting: "script");
            }

            handler.CheckPlan(plan, cancellationToken);
            return new PreparedDeployment(plan, handler);
        }
        catch (ConfigurationException e)
        {
            throw settings.Explain(e);
        }
    }
}
