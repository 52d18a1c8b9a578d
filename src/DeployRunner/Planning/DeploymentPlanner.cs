using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.Inputs;

namespace DeployRunner.Planning;

/// <summary>Turns an event and the inputs into a <see cref="DeploymentPlan"/>, checking the inputs on the way.</summary>
internal static class DeploymentPlanner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    public static DeploymentPlan Create(DeploymentEvent deploymentEvent, InputSet inputs, RunnerEnvironment environment)
    {
        var deployment = deploymentEvent.Deployment;
        var repository = deploymentEvent.Repository.Length > 0
            ? deploymentEvent.Repository
            : environment.Repository
              ?? throw new ConfigurationException("The event names no repository and GITHUB_REPOSITORY is not set.");

        RefuseUnremovable(deployment, inputs);
        var handler = (inputs.Get("handler") ?? "shell").ToLowerInvariant();
        var script = deployment.IsRemoval ? inputs.GetRaw("remove-script") : inputs.GetRaw("script");
        var workingDirectory = WorkspacePaths.ResolveDirectory("working-directory", inputs.Get("working-directory"), environment.Workspace);
        var environmentUrl = inputs.Get("environment-url");
        if (environmentUrl is not null && !Uri.TryCreate(environmentUrl, UriKind.Absolute, out _))
            throw new ConfigurationException($"Input `environment-url` must be an absolute URL such as https://app.example.com, not '{environmentUrl}'.", setting: "environment-url");

        return new DeploymentPlan(
            deployment,
            repository,
            handler,
            script,
            workingDirectory,
            environmentUrl,
            inputs.GetDuration("timeout", DefaultTimeout),
            inputs.GetBool("skip-superseded", true),
            DeploymentVariables.For(deployment, repository));
    }

    /// <summary>
    /// Removal is destructive, and anyone who can create a deployment can ask for it: a
    /// production environment is never removed, and a non-transient one only when the workflow
    /// opts in with input <c>remove-non-transient</c> (read from the inputs alone, never from the
    /// config file or the payload). Deliverybot sends <c>remove</c> only for transient environments.
    /// </summary>
    private static void RefuseUnremovable(Events.Deployment deployment, InputSet inputs)
    {
        if (!deployment.IsRemoval) return;
        if (deployment.ProductionEnvironment)
            throw new ConfigurationException($"Refusing to remove environment '{deployment.Environment}': deployment {deployment.Id} is marked production_environment. The runner never removes a production environment; tear it down by hand.");
        if (!deployment.TransientEnvironment && !inputs.GetBool("remove-non-transient", false))
            throw new ConfigurationException($"Refusing to remove environment '{deployment.Environment}': deployment {deployment.Id} is not transient_environment. To allow removing non-transient environments, set input `remove-non-transient: true` in the workflow.");
    }
}
