using System.Globalization;
using DeployRunner.Configuration;
using DeployRunner.Creating;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Running;

namespace DeployRunner;

/// <summary>
/// The runner as its own Deliverybot: on a push, a pull request or a dispatch it creates each
/// target's deployment with the job's token, then runs it exactly as if the <c>deployment</c>
/// event had arrived (<see cref="DeployAsync"/>: the same checks, statuses, summary and outputs).
/// </summary>
internal sealed partial class MainStep
{
    /// <summary>GitHub's login for deployments made with a workflow's GITHUB_TOKEN, including those of a job's <c>environment:</c>.</summary>
    private const string ActionsBot = "github-actions[bot]";

    public async Task<int> PushedAsync(PushEvent push)
    {
        RefuseRefInput("push");
        if (push.Deleted)
        {
            _log.Info($"The push deleted {push.Ref}: there is no commit to deploy; nothing to do.");
            return ExitCodes.Deployed;
        }

        return await CreateAndDeployAsync(new CreationTrigger("push", push.Ref, push.Sha));
    }

    public async Task<int> PullRequestUpdatedAsync(PullRequestEvent pullRequest)
    {
        RefuseRefInput("pull_request");
        if (pullRequest.FromFork || pullRequest.ByDependabot)
        {
            // Such runs get a read-only GITHUB_TOKEN and no secrets: creating a deployment would
            // be refused (403), and the deploy script would run without its secrets.
            _log.Info($"Pull request #{pullRequest.Number} comes from {(pullRequest.ByDependabot ? "Dependabot" : "a fork")}: its workflow runs with a read-only token and no secrets, so no review app is deployed. Nothing to do.");
            return ExitCodes.Deployed;
        }

        // GITHUB_SHA of a pull_request event is a merge commit GitHub made: deploy the head.
        return await CreateAndDeployAsync(new CreationTrigger("pull_request", $"refs/heads/{pullRequest.HeadRef}", pullRequest.HeadSha.ToLowerInvariant(), pullRequest));
    }

    public async Task<int> DispatchedAsync(WorkflowDispatchEvent dispatch)
    {
        var requestedRef = _inputs.Get("ref");
        string? sha;
        var gitRef = dispatch.Ref;
        if (requestedRef is not null)
        {
            CheckRefInput(requestedRef);
            gitRef = requestedRef;
            sha = CommitSha.IsSha(requestedRef) ? requestedRef.ToLowerInvariant() : await ResolveAsync(requestedRef);
        }
        else
        {
            sha = _environment.Sha is { } runSha && CommitSha.IsSha(runSha) ? runSha.ToLowerInvariant() : await ResolveAsync(dispatch.Ref);
        }

        return await CreateAndDeployAsync(new CreationTrigger("workflow_dispatch", gitRef, sha));
    }

    /// <summary>A deployment another run created and runs itself: never run it a second time.</summary>
    public int StandDown(Deployment deployment)
    {
        _log.Info($"Deployment {deployment.Id} to '{deployment.Environment}' was created by the runner in workflow run {RunnerMark.CreatorRun(deployment)}, which runs it itself in the same job: not running it a second time. Nothing to do.");
        return ExitCodes.Deployed;
    }

    private async Task<string?> ResolveAsync(string gitRef)
    {
        if (!CanCreate) return null;
        try
        {
            return await _github.ResolveCommitAsync(_repository, gitRef, _shutdown);
        }
        catch (GitHubApiException e)
        {
            throw new ConfigurationException($"Cannot deploy '{gitRef}': {e.Message}", setting: "ref");
        }
    }

    /// <summary>Whether this run creates deployments: not in a dry run, not locally without a token.</summary>
    private bool CanCreate => !_dryRun && _github is not LocalStatusPrinter;

    private void RefuseRefInput(string eventName)
    {
        if (_inputs.Get("ref") is not null)
            throw new ConfigurationException($"Input `ref` is for workflow_dispatch; a {eventName} deploys the commit its event names. Remove `ref:` from the step.", setting: "ref");
    }

    private static void CheckRefInput(string text)
    {
        if (RefProblem(text))
        {
            throw new ConfigurationException($"Input `ref` must be a branch, tag or commit SHA such as main, v1.2.0 or refs/heads/main; '{new string(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray())}' is not one.", setting: "ref");
        }
    }

    /// <param name="requestedTarget">The target a comment command names; otherwise input <c>target</c>.</param>
    /// <param name="deployed">When given, each deployment created is added with its outcome (a comment command's reply).</param>
    /// <summary>Whether text is not a ref as git allows them (https://git-scm.com/docs/git-check-ref-format), or could be read as an option.</summary>
    private static bool RefProblem(string text) =>
        text.Length > 255 || text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '\\' or '~' or '^' or ':' or '?' or '*' or '[')
        || text.Contains("..", StringComparison.Ordinal) || text.StartsWith('-') || text.StartsWith('/') || text.EndsWith('/');

    private async Task<int> CreateAndDeployAsync(CreationTrigger trigger, string? requestedTarget = null, List<CreatedTarget>? deployed = null)
    {
        var config = await _preparer.LoadConfigAsync(_shutdown);
        var selection = TargetSelection.Select(config, trigger, requestedTarget ?? _inputs.Get("target"), _inputs.Get("config") ?? EffectiveSettings.DefaultConfigPath);
        if (selection.NothingToDo is { } reason)
        {
            _log.Info(reason);
            return ExitCodes.Deployed;
        }

        // Every target is built and checked before the first is created: a mistake in the third
        // target's runner block must not leave the first two deployed and the rest not.
        var mark = RunnerMark.Create(_environment.RunId, _environment.RunAttempt, _environment.Actor);
        var requests = new List<(DeployTarget Target, NewDeployment Request)>();
        foreach (var target in selection.Targets)
        {
            var request = DeploymentRequests.Build(target, trigger, _repository, mark);
            var prepared = await _preparer.PrepareAsync(new DeploymentEvent(null, DeploymentRequests.Provisional(request), _repository), _shutdown);
            requests.Add((target, request));
            if (!CanCreate)
            {
                Show(target, request, trigger);
                if (_dryRun) await DryRun.PrintAsync(prepared, _log, _shutdown);
            }
        }

        if (!CanCreate)
        {
            _log.Info(_dryRun
                ? $"Dry run: {requests.Count} deployment(s) would be created; none was created, nothing was run."
                : $"Running locally without a token: {requests.Count} deployment(s) would be created in GitHub Actions; none was created, nothing was run. Pass --token (and GITHUB_REPOSITORY) to create them from here.");
            return ExitCodes.Deployed;
        }

        for (var i = 0; i < requests.Count; i++)
        {
            var (target, request) = requests[i];
            CreatedDeployment created;
            try
            {
                if (trigger.EventName is "push" or "pull_request")
                {
                    var skip = await SkipLockedAsync(target, request, trigger);
                    if (skip is null) return ExitCodes.Failed;
                    if (skip.Value) continue;
                }

                await WarnOfJobEnvironmentAsync(request);
                created = await _github.CreateDeploymentAsync(_repository, request, _shutdown);
            }
            catch (GitHubApiException e)
            {
                _log.Error(e.Message + NotCreated(requests, i), "Deployment not created");
                return e.MayHaveTakenEffect ? ExitCodes.Failed : ExitCodes.CouldNotStart;
            }

            await _runner.RecordCreatedAsync(created.Deployment.Id);
            _log.Info($"Created deployment {created.Deployment.Id} of target `{target.Name}` ({trigger.Describe}, commit {request.Ref}).");
            await _files.SetOutputAsync("deployment-url", created.Url ?? "", CancellationToken.None);
            var (exit, environmentUrl) = await DeployWithUrlAsync(created.Deployment);
            deployed?.Add(new CreatedTarget(target.Name, created.Deployment.Environment, created.Deployment.Id, exit, environmentUrl));
            if (exit != ExitCodes.Deployed)
            {
                if (i + 1 < requests.Count) _log.Warning($"Target `{target.Name}` did not deploy: {NotCreated(requests, i).Trim()}");
                return exit;
            }
        }

        return ExitCodes.Deployed;
    }

    private static string NotCreated(List<(DeployTarget Target, NewDeployment Request)> requests, int failed) =>
        failed + 1 < requests.Count
            ? $" Not created either: {string.Join(", ", requests.Skip(failed + 1).Select(r => $"`{r.Target.Name}`"))}."
            : "";

    private void Show(DeployTarget target, NewDeployment request, CreationTrigger trigger) =>
        _log.Untrusted(
            $"Would create a deployment for target `{target.Name}` ({trigger.Describe}):\n"
            + $"  ref: {request.Ref}{(trigger.Sha is null ? " (the commit is looked up when run in GitHub Actions)" : "")}\n"
            + $"  environment: {request.Environment}\n  task: {request.Task}\n"
            + $"  transient_environment: {Flag(request.TransientEnvironment)}, production_environment: {Flag(request.ProductionEnvironment)}, auto_merge: false\n"
            + $"  required_contexts: [{string.Join(", ", request.RequiredContexts)}]\n"
            + $"  description: {request.Description}\n"
            + $"  payload: {request.Payload.ToJsonString(Inputs.JsonLimits.WriteOptions)}");

    private static string Flag(bool value) => value ? "true" : "false";

    /// <summary>
    /// A job with <c>environment:</c> makes GitHub create a deployment of its own before the job
    /// starts: two deployments of one commit to one environment, which inactivate each other.
    /// It shows as a deployment of this commit and environment by the Actions bot without the
    /// runner's mark. One request; a failure to ask is not a reason not to deploy.
    /// </summary>
    private async Task WarnOfJobEnvironmentAsync(NewDeployment request)
    {
        try
        {
            var existing = await _github.ListDeploymentsAsync(_repository, new DeploymentFilter(Sha: request.Ref, Environment: request.Environment), limit: 10, _shutdown);
            if (existing.FirstOrDefault(d => string.Equals(d.Creator, ActionsBot, StringComparison.OrdinalIgnoreCase) && RunnerMark.CreatorRun(d) is null) is { } duplicate)
            {
                _log.Warning(
                    $"GitHub already made deployment {duplicate.Id} of this commit to '{request.Environment}', most likely for the job's `environment:`; the runner creates its own, and the two inactivate each other. "
                    + $"Keep the environment's secrets and protection without GitHub's deployment: `environment: {{ name: {request.Environment}, deployment: false }}`.",
                    "Two deployments");
            }
        }
        catch (GitHubApiException e)
        {
            _log.Debug($"Could not look for a deployment of the job's environment: {e.Message}");
        }
    }
}
