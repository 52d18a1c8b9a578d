using System.Globalization;
using DeployRunner.Status;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// The safety net behind action.yml's <c>post-entrypoint</c>: the Actions runner starts it in a
/// new container after the main step, even after a failure or a cancellation. If the main step
/// left its deployment <c>in_progress</c> (it was killed before it could post a terminal status),
/// this posts <c>error</c> so the deployment does not stay "in progress" for ever.
/// </summary>
/// <remarks>
/// The main step records what it posted through <c>GITHUB_STATE</c> (<see cref="DeploymentRunner"/>);
/// the runner hands those values to this step as <c>STATE_deployment-id</c> and <c>STATE_posted</c>.
/// </remarks>
public sealed class PostStep(IGitHubDeployments github, IWorkflowLog log, string? logUrl)
{
    public const string Description = "The runner stopped before it could report a result.";

    public async Task<int> RunAsync(string repository, IReadOnlyDictionary<string, string> state, CancellationToken cancellationToken)
    {
        var idText = state.GetValueOrDefault("deployment-id");
        var posted = state.GetValueOrDefault("posted");
        if (string.IsNullOrEmpty(idText))
        {
            log.Info("Post step: the main step started no deployment; nothing to report.");
            return ExitCodes.Deployed;
        }

        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var deploymentId))
        {
            log.Warning($"Post step: the saved deployment id is not a number; nothing reported.");
            return ExitCodes.Failed;
        }

        if (DeploymentStates.FromApiName(posted) is { } last && last.IsTerminal())
        {
            log.Info($"Post step: deployment {deploymentId} already ended in `{posted}`; nothing to report.");
            return ExitCodes.Deployed;
        }

        log.Warning($"Post step: deployment {deploymentId} was left `{posted}`: the main step was stopped before it reported. Posting `error`.");
        try
        {
            await github.PostStatusAsync(repository, deploymentId, new DeploymentStatusUpdate(DeploymentState.Error, Description, logUrl), cancellationToken);
            return ExitCodes.Deployed;
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Error($"The `error` status could not be posted: {(e is OperationCanceledException ? "no answer in time" : e.Message)}", "Status not reported");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The <c>STATE_*</c> variables the runner passes to a post step, by state name.</summary>
    public static IReadOnlyDictionary<string, string> ReadState(IReadOnlyDictionary<string, string> variables)
    {
        const string prefix = "STATE_";
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)) state[name[prefix.Length..]] = value;
        }

        return state;
    }
}
