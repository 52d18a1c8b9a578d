using System.Globalization;
using DeployRunner.Creating;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// A pull request closed: tear its review apps down. Deliverybot marks a pull request's transient
/// deployments <c>inactive</c> when it closes, and <c>inactive</c> triggers no workflow, so the
/// runner also runs on <c>pull_request: closed</c> and does the removal itself:
/// <list type="number">
/// <item>find candidate deployments: one list per ref form of the head branch (<c>name</c>,
/// <c>heads/name</c>, <c>refs/heads/name</c>; for a fork <c>refs/pull/N/head</c> and
/// <c>refs/pull/N/merge</c> instead) and one for the head SHA, every page;</item>
/// <item>keep the transient environments among them; list the pull request's commits (one
/// request); for each environment, list its newest deployments (at most <see cref="MaxDeploymentsRead"/>)
/// and leave it alone if any is not transient, or its newest deployment is not the pull
/// request's (<see cref="Belongs"/>); the log says which and why;</item>
/// <item>run the handler's <c>remove</c> with the newest deployment as context (in_progress,
/// then inactive "Removed ENV", or failure), unless an earlier run already did, or the
/// environment is locked by someone other than who closed the pull request (then it stays up
/// and the run fails, saying whose lock it is);</item>
/// <item>post <c>inactive</c> on the next <see cref="MaxOlderDeploymentsClosed"/> deployments
/// of the environment not inactive yet; older ones are left as they are (the log says how many).</item>
/// </list>
/// Every list is bounded (<see cref="MaxDeploymentsRead"/> per list, 10 pages), so the cost of
/// a close does not grow with an environment's history: API requests are at most 4 x 10 lists
/// (3 for a fork), 1 for the commits, then per environment at most 10 + 1 + 2 + 2 + 2 x
/// <see cref="MaxOlderDeploymentsClosed"/> (its list, the newest status of the newest and of each
/// older one read, its lock (branch and file), in_progress and inactive on the newest, inactive on the older ones).
/// </summary>
internal sealed class ReviewAppTeardown(
    IGitHubDeployments github,
    IWorkflowLog log,
    WorkflowFiles files,
    DeploymentRunner runner,
    string? logUrl,
    Func<Deployment, CancellationToken, Task<PreparedDeployment>> prepare,
    Func<string, CancellationToken, Task<string?>>? refuseLocked = null)
{
    /// <summary>
    /// The most deployments read by one list (a ref form, the head SHA, one environment): 10
    /// pages. An environment with a longer history is still removed; only its newest deployments
    /// are checked for a permanent one (README, Limits).
    /// </summary>
    public const int MaxDeploymentsRead = 1_000;

    /// <summary>
    /// The most older deployments of one environment whose status a close reads and, when not
    /// inactive yet, marks <c>inactive</c>: one request each, so a long history cannot spend the
    /// workflow token's 1,000 requests an hour (README, Limits).
    /// </summary>
    public const int MaxOlderDeploymentsClosed = 100;

    public async Task<int> RunAsync(string repository, PullRequestEvent pullRequest, CancellationToken cancellationToken)
    {
        var found = await FindDeploymentsAsync(repository, pullRequest, cancellationToken);
        var candidates = found.Values.OrderByDescending(d => d.Id).Select(d => d.Environment).Distinct(StringComparer.Ordinal).ToList();
        var environments = new List<string>();
        foreach (var candidate in candidates)
        {
            if (found.Values.FirstOrDefault(d => d.Environment == candidate && !d.TransientEnvironment) is { } permanent)
                log.Untrusted($"Environment '{candidate}': kept, deployment {permanent.Id} of it is not transient.");
            else
                environments.Add(candidate);
        }

        if (environments.Count == 0)
        {
            log.Info($"Pull request #{pullRequest.Number} has no transient deployments: nothing to tear down.");
            await files.SetOutputAsync("status", "", CancellationToken.None);
            return ExitCodes.Deployed;
        }

        // Its commits, one request; the head commit from the event counts even past the first page.
        var commits = new HashSet<string>(await github.ListPullRequestCommitsAsync(repository, pullRequest.Number, cancellationToken), StringComparer.OrdinalIgnoreCase) { pullRequest.HeadSha };

        log.Untrusted($"Pull request #{pullRequest.Number} closed{(pullRequest.FromFork ? " (from a fork: only its refs/pull/ refs and SHA refs count)" : "")}: checking {string.Join(", ", environments)}.");
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
                if (!await RemoveEnvironmentAsync(repository, pullRequest, environment, commits, cancellationToken))
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
        var filters = pullRequest.LookupRefs.Select(form => new DeploymentFilter(Ref: form)).Append(new DeploymentFilter(Sha: pullRequest.HeadSha));
        var found = new Dictionary<long, Deployment>();
        foreach (var filter in filters)
        {
            var listed = await github.ListDeploymentsAsync(repository, filter, MaxDeploymentsRead, cancellationToken);
            if (listed.Count >= MaxDeploymentsRead)
                log.Untrusted($"Deployments with {filter}: only the newest {MaxDeploymentsRead} were read; an environment deployed only before them is not found (remove it with a `remove` deployment).");
            foreach (var deployment in listed)
                found.TryAdd(deployment.Id, deployment);
        }

        return found;
    }

    /// <summary>
    /// Why an environment belongs to the pull request, or false with the reason it does not: its
    /// newest deployment must be made from the pull request's ref and be one of its commits. A
    /// ref alone is not enough (a branch name is reused by a later pull request), and a SHA alone
    /// is not either (two branches can point at one commit; stacked pull requests and forks share
    /// commits). A deployment made from a bare SHA names no pull request, so it counts only in an
    /// environment whose history does: at least one deployment made from this pull request's ref
    /// at one of its commits, and none made from any other named ref.
    /// </summary>
    internal static (bool Owned, string Why) Belongs(PullRequestEvent pullRequest, IReadOnlyList<Deployment> environment, IReadOnlySet<string> commits)
    {
        var newest = environment[0];
        var made = $"its newest deployment {newest.Id} was made from ref '{newest.Ref}' at {newest.Sha}";
        if (!commits.Contains(newest.Sha))
            return (false, $"{made}, which is not one of pull request #{pullRequest.Number}'s commits");

        if (PullRequestEvent.IsShaRef(newest.Ref, newest.Sha) && RunnerMark.CreatedForPullRequest(newest) is { } createdFor)
        {
            if (createdFor != pullRequest.Number)
                return (false, $"{made}, created by the runner for pull request #{createdFor}, not #{pullRequest.Number}");
            var foreign = environment.Select(d => (d.Id, For: RunnerMark.CreatedForPullRequest(d))).FirstOrDefault(d => d.For is { } other && other != pullRequest.Number);
            if (foreign.For is { } foreignNumber)
                return (false, $"{made} for pull request #{pullRequest.Number}, but deployment {foreign.Id} of the environment was created for pull request #{foreignNumber}: the environment is not this pull request's alone");
            if (environment.FirstOrDefault(d => !PullRequestEvent.IsShaRef(d.Ref, d.Sha) && !pullRequest.IsOwnRef(d.Ref)) is { } named)
                return (false, $"{made} for pull request #{pullRequest.Number}, but deployment {named.Id} of the environment was made from ref '{named.Ref}', which is not the pull request's");
            return (true, $"{made}, created by the runner for pull request #{pullRequest.Number} (its payload says so)");
        }

        if (PullRequestEvent.IsShaRef(newest.Ref, newest.Sha))
        {
            var named = environment.Where(d => !PullRequestEvent.IsShaRef(d.Ref, d.Sha)).ToList();
            if (named.FirstOrDefault(d => !pullRequest.IsOwnRef(d.Ref)) is { } other)
                return (false, $"{made}, a bare SHA, and deployment {other.Id} of the environment was made from ref '{other.Ref}', which is not pull request #{pullRequest.Number}'s: a SHA does not say which pull request it belongs to");
            if (!named.Any(d => commits.Contains(d.Sha)))
                return (false, $"{made}, a bare SHA, and no deployment of the environment was made from pull request #{pullRequest.Number}'s ref at one of its commits: a SHA does not say which pull request it belongs to (stacked pull requests and forks share commits). Remove it with a `remove` deployment");
            return (true, $"{made}, a commit of pull request #{pullRequest.Number}, in an environment otherwise deployed from the pull request's ref");
        }

        if (!pullRequest.IsOwnRef(newest.Ref))
        {
            return (false, pullRequest.FromFork
                ? $"{made}, which is not one of the fork pull request's refs (refs/pull/{pullRequest.Number}/head or /merge)"
                : $"{made}, not from the pull request's branch '{pullRequest.HeadRef}'");
        }

        return (true, $"{made}, a commit of pull request #{pullRequest.Number}");
    }

    /// <summary>True when the environment is gone (or was left alone on purpose), false when its removal failed.</summary>
    private async Task<bool> RemoveEnvironmentAsync(string repository, PullRequestEvent pullRequest, string environment, IReadOnlySet<string> commits, CancellationToken cancellationToken)
    {
        // Newest first. Every deployment of the environment, not only the ones made from this
        // branch: all of them describe the review app that is about to go.
        // Bounded: past the bound the newest deployments decide (the removal needs only the
        // newest), so a long history can still be removed.
        var all = await github.ListDeploymentsAsync(repository, new DeploymentFilter(Environment: environment), MaxDeploymentsRead, cancellationToken);
        if (all.Count == 0) return true;
        if (all.FirstOrDefault(d => !d.TransientEnvironment) is { } permanent)
        {
            log.Untrusted($"Environment '{environment}': kept, it also has deployment {permanent.Id}, which is not transient.");
            return true;
        }

        var newest = all[0];
        var (owned, why) = Belongs(pullRequest, all, commits);
        log.Untrusted($"Environment '{environment}': {(owned ? "removing" : "kept")}, {why}.");
        if (!owned) return true;
        if (all.Count >= MaxDeploymentsRead)
            log.Untrusted($"Environment '{environment}' has more than {MaxDeploymentsRead} deployments: its newest {MaxDeploymentsRead} were checked (all transient); older ones are not read.");

        var latestNewest = (await github.ListStatusesAsync(repository, newest.Id, limit: 1, cancellationToken)).FirstOrDefault();
        if (latestNewest is { Known: DeploymentState.Inactive } last && last.Description?.StartsWith(DeploymentRunner.RemovedPrefix, StringComparison.Ordinal) == true)
        {
            log.Untrusted($"Environment '{environment}' was already removed (deployment {newest.Id}: \"{last.Description}\").");
        }
        else
        {
            log.Untrusted($"Removing '{environment}' with deployment {newest.Id} as context ({all.Count} deployment(s) in the environment).");
            // A locked review app is refused like any removal: it stays up, the run says why.
            if (refuseLocked is not null && await refuseLocked(environment, cancellationToken) is { } refusal)
            {
                log.Error(refusal, "Environment locked");
                return false;
            }

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
        foreach (var deployment in all.Skip(1).Take(MaxOlderDeploymentsClosed))
        {
            var latest = (await github.ListStatusesAsync(repository, deployment.Id, limit: 1, cancellationToken)).FirstOrDefault();
            if (latest?.Known == DeploymentState.Inactive) continue;
            await github.PostStatusAsync(repository, deployment.Id, new DeploymentStatusUpdate(DeploymentState.Inactive, description, logUrl), cancellationToken);
        }

        if (all.Count - 1 > MaxOlderDeploymentsClosed)
            log.Untrusted($"Environment '{environment}': removed; its {MaxOlderDeploymentsClosed} newest older deployments are inactive, the rest ({(all.Count >= MaxDeploymentsRead ? "at least " : "")}{all.Count - 1 - MaxOlderDeploymentsClosed}) keep their last status (a close reads at most {MaxOlderDeploymentsClosed}; GitHub shows the environment by its newest deployment).");

        return true;
    }
}
