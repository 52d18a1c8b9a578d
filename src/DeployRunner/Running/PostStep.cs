using System.Globalization;
using DeployRunner.GitHub;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// The safety net behind action.yml's <c>post-entrypoint</c>: the Actions runner starts it in a
/// new container after the main step, even after a failure or a cancellation. Every deployment the
/// main step may have left <c>in_progress</c> (it was killed, or GitHub's answer was lost) gets
/// <c>error</c>, so no deployment stays "in progress" for ever; a terminal status is never overwritten.
/// </summary>
/// <remarks>
/// The main step records, per deployment, what it was about to post and what GitHub confirmed
/// (<see cref="DeploymentRecord"/>); the runner hands those values to this step as
/// <c>STATE_deployment-ID</c>. A confirmed <c>in_progress</c> is closed straight away; an
/// unconfirmed request (<c>posting:</c>) is checked against the deployment's latest status first.
/// </remarks>
internal sealed class PostStep(IGitHubDeployments github, IWorkflowLog log, string? logUrl)
{
    public const string Description = "The runner stopped before it could report a result.";

    public async Task<int> RunAsync(string repository, IReadOnlyDictionary<string, string> state, CancellationToken cancellationToken)
    {
        var created = Created(state);
        // A deployment the runner created and was killed before it started has no other record.
        var records = Records(state).Concat(created.Where(id => Records(state).All(r => r.DeploymentId != id)).Select(id => (DeploymentId: id, Record: CreatedOnly)))
            .OrderBy(r => r.DeploymentId).ToList();
        if (records.Count == 0)
        {
            if (state.ContainsKey("deployment-id"))
            {
                log.Warning("Post step: the saved deployment id is not a number; nothing reported.");
                return ExitCodes.Failed;
            }

            log.Info("Post step: the main step started no deployment; nothing to report.");
            return ExitCodes.Deployed;
        }

        var exit = ExitCodes.Deployed;
        foreach (var (deploymentId, record) in records)
        {
            if (!await CloseAsync(repository, deploymentId, record, created.Contains(deploymentId), cancellationToken)) exit = ExitCodes.Failed;
        }

        return exit;
    }

    /// <summary>The description of a created deployment the main step never started.</summary>
    public const string CreatedDescription = "The runner stopped after creating this deployment, before it started it.";

    /// <summary>The record of a deployment that was created and nothing more.</summary>
    private const string CreatedOnly = "created";

    /// <summary>
    /// True when the deployment is known to be closed (or never started). A deployment the runner
    /// created itself is closed unless it ended: nobody else will ever start it.
    /// </summary>
    private async Task<bool> CloseAsync(string repository, long deploymentId, string record, bool created, CancellationToken cancellationToken)
    {
        if (record == CreatedOnly)
        {
            log.Warning($"Post step: deployment {deploymentId} was created by the main step, which stopped before it started it. Posting `error`.");
            return await PostErrorAsync(repository, deploymentId, CreatedDescription, cancellationToken);
        }

        if (record == DeploymentRecord.NotStarted && !created)
        {
            log.Info($"Post step: GitHub refused deployment {deploymentId}'s `in_progress`; nothing to close.");
            return true;
        }

        if (record.StartsWith(DeploymentRecord.Skipping, StringComparison.Ordinal))
        {
            log.Info($"Post step: deployment {deploymentId} was not run (the main step only marked it `{record[DeploymentRecord.Skipping.Length..]}`); nothing was started, nothing to close.");
            return true;
        }

        var confirmed = record.StartsWith(DeploymentRecord.Posted, StringComparison.Ordinal);
        var stateName = record[(record.IndexOf(':') + 1)..];
        if (confirmed && DeploymentStates.FromApiName(stateName) is { } last && last.IsTerminal())
        {
            log.Info($"Post step: deployment {deploymentId} already ended in `{stateName}`; nothing to report.");
            return true;
        }

        if (!confirmed)
        {
            // The main step did not learn whether GitHub took its last request: ask.
            try
            {
                var latest = (await github.ListStatusesAsync(repository, deploymentId, limit: 1, cancellationToken)).FirstOrDefault();
                if (latest?.Known is { } known && known.IsTerminal())
                {
                    log.Info($"Post step: deployment {deploymentId} already ended in `{latest.State}`; nothing to report.");
                    return true;
                }

                // Whatever the main step was about to post: a deployment GitHub does not show in
                // progress is not one this step exists to close (its `in_progress` never landed).
                if (latest?.Known != DeploymentState.InProgress && !created)
                {
                    log.Info($"Post step: GitHub does not show deployment {deploymentId} in progress (latest: `{latest?.State ?? "none"}`); nothing was started, nothing to close.");
                    return true;
                }
            }
            catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
            {
                // Cannot tell: closing a deployment that did end would at worst repeat `error`
                // after a lost answer; leaving one in progress is the failure this step exists for.
                log.Warning($"Post step: could not read deployment {deploymentId}'s latest status ({(e is OperationCanceledException ? "no answer in time" : e.Message)}); posting `error` to be safe.");
            }
        }

        log.Warning($"Post step: deployment {deploymentId} was left `{(confirmed ? stateName : DeploymentState.InProgress.ToApiName())}`: the main step was stopped before it reported. Posting `error`.");
        return await PostErrorAsync(repository, deploymentId, Description, cancellationToken);
    }

    private async Task<bool> PostErrorAsync(string repository, long deploymentId, string description, CancellationToken cancellationToken)
    {
        try
        {
            await github.PostStatusAsync(repository, deploymentId, new DeploymentStatusUpdate(DeploymentState.Error, description, logUrl), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is GitHubApiException or OperationCanceledException)
        {
            log.Error($"The `error` status for deployment {deploymentId} could not be posted: {(e is OperationCanceledException ? "no answer in time" : e.Message)}", "Status not reported");
            return false;
        }
    }

    /// <summary>
    /// The main step's record per deployment: <c>deployment-ID</c> entries, and the older pair
    /// <c>deployment-id</c> / <c>posted</c> (a confirmed status) for a deployment without one.
    /// </summary>
    internal static IReadOnlyList<(long DeploymentId, string Record)> Records(IReadOnlyDictionary<string, string> state)
    {
        var records = new SortedDictionary<long, string>();
        foreach (var (name, value) in state)
        {
            if (name.StartsWith(DeploymentRecord.KeyPrefix, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(DeploymentRecord.KeyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && value.Length > 0)
            {
                records[id] = value;
            }
        }

        if (long.TryParse(state.GetValueOrDefault("deployment-id"), NumberStyles.None, CultureInfo.InvariantCulture, out var legacyId)
            && state.GetValueOrDefault("posted") is { Length: > 0 } posted)
        {
            records.TryAdd(legacyId, DeploymentRecord.Posted + posted);
        }

        return records.Select(r => (r.Key, r.Value)).ToList();
    }

    /// <summary>The deployments the main step created itself (<c>created-ID</c>).</summary>
    internal static IReadOnlySet<long> Created(IReadOnlyDictionary<string, string> state) =>
        state.Keys.Where(name => name.StartsWith(DeploymentRecord.CreatedPrefix, StringComparison.Ordinal))
            .Select(name => long.TryParse(name.AsSpan(DeploymentRecord.CreatedPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0)
            .Where(id => id > 0)
            .ToHashSet();

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
