using DeployRunner.Events;
using DeployRunner.Inputs;

namespace DeployRunner.Planning;

/// <summary>Turns an event and the inputs into a <see cref="DeploymentPlan"/>, checking the inputs on the way.</summary>
public static class DeploymentPlanner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    public static DeploymentPlan Create(DeploymentEvent deploymentEvent, InputSet inputs, RunnerEnvironment environment)
    {
        var deployment = deploymentEvent.Deployment;
        var repository = deploymentEvent.Repository.Length > 0
            ? deploymentEvent.Repository
            : environment.Repository
              ?? throw new ConfigurationException("The event names no repository and GITHUB_REPOSITORY is not set.");

        var handler = (inputs.Get("handler") ?? "shell").ToLowerInvariant();
        var script = deployment.IsRemoval ? inputs.GetRaw("remove-script") : inputs.GetRaw("script");
        var workingDirectory = ResolveWorkingDirectory(inputs.Get("working-directory"), environment.Workspace);
        var environmentUrl = inputs.Get("environment-url");
        if (environmentUrl is not null && !Uri.TryCreate(environmentUrl, UriKind.Absolute, out _))
            throw new ConfigurationException($"Input `environment-url` must be an absolute URL such as https://app.example.com, not '{environmentUrl}'.");

        return new DeploymentPlan(
            deployment,
            repository,
            handler,
            inputs,
            script,
            workingDirectory,
            environmentUrl,
            inputs.GetDuration("timeout", DefaultTimeout),
            DeploymentVariables.For(deployment, repository));
    }

    private static string ResolveWorkingDirectory(string? input, string workspace)
    {
        var path = input is null ? workspace : Path.GetFullPath(input, workspace);
        if (!Directory.Exists(path))
            throw new ConfigurationException($"Input `working-directory` names '{input ?? path}', which does not exist in the workspace. Check out the repository first (actions/checkout) or fix the path.");
        return path;
    }
}
