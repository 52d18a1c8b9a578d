using System.Globalization;
using DeployRunner.Events;
using DeployRunner.Status;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// A pull request closed: tear its review apps down. Deliverybot marks a pull request's transient
/// deployments <c>inactive</c> when it closes, and <c>inactive</c> triggers no workflow, so the
/// runner also runs on <c>pull_request: closed</c> and does the removal itself:
/// <list type="number">
/// <item>find the pull request's deployments: one list per ref form of the head branch
/// (<c>name</c>, <c>heads/name</c>, <c>refs/heads/name</c>) and one for the head SHA, every page;</item>
/// <item>keep the transient environments among them; for each, list all its deployments and
/// leave it alone if any is not transient or its newest deployment is not this pull request's;</item>
/// <item>run the handler's <c>remove</c> with the newest deployment as context (in_progress,
/// then inactive "Removed ENV", or failure), unless an earlier run already did;</item>
/// <item>post <c>inactive</c> on every other deployment of the environment not inactive yet.</item>
/// </list>
/// API requests: 4 lists per event (one more per extra page of 100), then per environment with
/// k deployments at most 1 + k + 2 + (k - 1) = 2k + 2 (list, newest status of each, in_progress
/// and inactive on the newest, inactive on the others). A repeated close costs 1 + k.
/// </summary>
public sealed class ReviewAppTeardown(
    IGitHubDeployments github,
    IWorkflowLog log,
    WorkflowFiles files,
    DeploymentRunner runner,
    string? logUrl,
    Func<Deployment, CancellationToken, Task<PreparedDeployment>> prepare)
{
    public async Task<int> RunAsync(string repository, PullRequestEvent pullRequest, CancellationToken cancellationToken)
    {
        var found = await FindDeploymentsAsync(repository, pullRequest, cancellationToken);
        var environments = found.Values.Where(d => d.TransientEnvironment).OrderByDescending(d => d.Id)
            .Select(d => d.Environment).Distinct(StringComparer.Ordinal).ToList();
        foreach (var permanent in found.Values.Select(d => d.Environment).Distinct(StringComparer.Ordinal).Except(environments, StringComparer.Ordinal))
            log.Untrusted($"Environment '{permanent}' is not transient: left alone.");

        if (environments.Count == 0)
        {
            log.Info($"Pull request #{pullRequest.Number} has no transient deployments: nothing to tear down.");
            await files.SetOutputAsync("status", "", CancellationToken.None);
            return ExitCodes.Deployed;
        }

        log.Untrusted($"Pull request #{pullRequest.Number} closed: tearing down {string.Join(", ", environments)}.");
        var failed = new List<string>();
        foreach (var environment in environments)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                log.Error($"Cancelled: {string.Join(", ", environments.SkipWhile(e => e != environment))} not torn down. Close the pull request again, or create a `remove` deployment, to finish.", "Teardown cancelled");
                return ExitCodes.Failed;
            }

            try
            {
                if (!await RemoveEnvironmentAsync(repository, pullRequest, environment, found, cancellationToken))
                    failed.Add(environment);
            }
            catch (GitHubApiException e)
            {
                log.Error(e.Message, $"Teardown of {environment} interrupted");
                failed.Add(environment);
            }
        }

        await files.SetOutputAsync("status", failed.Count == 0 ? DeploymentState.Inactive.ToApiName() : DeploymentState.Failure.ToApiName(), CancellationToken.None);
        if (failed.Count == 0) return ExitCodes.Deployed;
        log.Error($"Could not tear down: {string.Join(", ", failed)}. Their other deployments were left as they were; close the pull request again or create a `remove` deployment to retry.", "Teardown failed");
        return ExitCodes.Failed;
    }

    private async Task<Dictionary<long, Deployment>> FindDeploymentsAsync(string repository, PullRequestEvent pullRequest, CancellationToken cancellationToken)
    {
        var filters = pullRequest.HeadRefForms.Select(form => new DeploymentFilter(Ref: form)).Append(new DeploymentFilter(Sha: pullRequest.HeadSha));
        var found = new Dictionary<long, Deployment>();
        foreach (var filter in filters)
        {
            foreach (var deployment in await github.ListDeploymentsAsync(repository, filter, limit: null, cancellationToken))
                found.TryAdd(deployment.Id, deployment);
        }

        return found;
    }

    /// <summary>True when the environment is gone (or was left alone on purpose), false when its removal failed.</summary>
    private async Task<bool> RemoveEnvironmentAsync(string repository, PullRequestEvent pullRequest, string environment, Dictionary<long, Deployment> ofPullRequest, CancellationToken cancellationToken)
    {
        // Newest first. Every deployment of the environment, not only the ones made from this
        // branch: all of them describe the review app that is about to go.
        var all = await github.ListDeploymentsAsync(repository, new DeploymentFilter(Environment: environment), limit: null, cancellationToken);
        if (all.Count == 0) return true;
        if (all.FirstOrDefault(d => !d.TransientEnvironment) is { } permanent)
        {
            log.Warning($"Environment '{environment}' also has deployment {permanent.Id}, which is not transient: left alone.");
            return true;
        }

        var newest = all[0];
        if (!ofPullRequest.ContainsKey(newest.Id))
        {
            log.Warning($"Environment '{environment}' was last deployed from '{newest.Ref}' (deployment {newest.Id}), not from pull request #{pullRequest.Number}: left alone.");
            return true;
        }

        var latestStates = new Dictionary<long, DeploymentStatusRecord?>();
        foreach (var deployment in all)
            latestStates[deployment.Id] = (await github.ListStatusesAsync(repository, deployment.Id, limit: 1, cancellationToken)).FirstOrDefault();

        if (latestStates[newest.Id] is { Known: DeploymentState.Inactive } last && last.Description?.StartsWith(DeploymentRunner.RemovedPrefix, StringComparison.Ordinal) == true)
        {
            log.Untrusted($"Environment '{environment}' was already removed (deployment {newest.Id}: \"{last.Description}\").");
        }
        else
        {
            log.Untrusted($"Removing '{environment}' with deployment {newest.Id} as context ({all.Count} deployment(s) in the environment).");
            var removal = newest with { Task = "remove" };
            PreparedDeployment prepared;
            try
            {
                prepared = await prepare(removal, cancellationToken);
            }
            catch (ConfigurationException e)
            {
                log.Error(e.Message, "Configuration error");
                await runner.ReportConfigurationErrorAsync(repository, newest.Id, e.Message, cancellationToken);
                return false;
            }

            if (await runner.RunAsync(prepared.Plan, prepared.Handler, cancellationToken) != ExitCodes.Deployed)
                return false;
        }

        var description = $"{DeploymentRunner.RemovedPrefix}{environment} (pull request #{pullRequest.Number.ToString(CultureInfo.InvariantCulture)} closed)";
        foreach (var deployment in all.Skip(1))
        {
            if (latestStates[deployment.Id]?.Known == DeploymentState.Inactive) continue;
            await github.PostStatusAsync(repository, deployment.Id, new DeploymentStatusUpdate(DeploymentState.Inactive, description, logUrl), cancellationToken);
        }

        return true;
    }
}
