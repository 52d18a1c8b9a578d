using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Creating;
using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Inputs;
using DeployRunner.Locking;
using DeployRunner.Running;
using DeployRunner.Workflow;

namespace DeployRunner;

/// <summary>
/// What the runner does once <c>Program</c> has read the environment: the main step (a
/// deployment, an explicit id, or a closed pull request's teardown) or the post step.
/// </summary>
internal sealed class RunnerApplication(
    IReadOnlyDictionary<string, string> variables,
    string currentDirectory,
    TextWriter stdout,
    IWorkflowLog log,
    CancellationToken shutdown)
{
    public async Task<int> RunPostStepAsync()
    {
        try
        {
            var inputs = InputSet.From(variables, new Dictionary<string, string>());
            var token = inputs.GetRaw("token");
            if (token is not null) log.Mask(token);
            var environment = RunnerEnvironment.From(variables, currentDirectory);
            var state = PostStep.ReadState(variables);
            if (token is null || environment.Repository is null)
            {
                log.Info("Post step: no token or no GITHUB_REPOSITORY; nothing to report.");
                return ExitCodes.Deployed;
            }

            var github = GitHubClient(environment, token);
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            budget.CancelAfter(TimeSpan.FromSeconds(60));
            return await new PostStep(github, log, environment.LogUrl(environment.Repository)).RunAsync(environment.Repository, state, budget.Token);
        }
        catch (ConfigurationException e)
        {
            log.Error(e.Message, "Configuration error");
            return ExitCodes.CouldNotStart;
        }
        catch (Exception e)
        {
            log.Debug(e.ToString());
            log.Error($"The post step failed: {e.GetType().Name}: {e.Message}", "Runner fault");
            return ExitCodes.Failed;
        }
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        try
        {
            string? eventPath;
            IReadOnlyDictionary<string, string> inputArguments;
            switch (CommandLine.Parse(args))
            {
                case Invocation.ShowHelp:
                    stdout.Write(CommandLine.Help());
                    return ExitCodes.Deployed;
                case Invocation.ShowVersion:
                    stdout.WriteLine(CommandLine.Version);
                    return ExitCodes.Deployed;
                case Invocation.Run run:
                    (eventPath, inputArguments) = (run.EventPath, run.Inputs);
                    break;
                default:
                    throw new InvalidOperationException("Unknown invocation.");
            }

            var inputs = InputSet.From(variables, inputArguments);
            SettingCatalog.MaskSecrets(inputs, log);

            var environment = RunnerEnvironment.From(variables, currentDirectory);
            eventPath ??= environment.EventPath
                ?? throw new ConfigurationException("No event: GITHUB_EVENT_PATH is not set. Run the action in a workflow triggered by `on: push`, `pull_request`, `workflow_dispatch` or `deployment`, or pass --event PATH to an event file (such as examples/events/deploy.json or examples/events/push.json). Run with --help for every option.");
            var root = await DeploymentEventReader.ReadRootAsync(eventPath, shutdown);
            // Who started the run owns what it deploys (environment locks): the event's sender when GITHUB_ACTOR is not set (a local run).
            environment = environment with { Actor = environment.Actor ?? (root["sender"] is JsonObject sender ? DeploymentEventReader.Text(sender["login"]) : null) };
            var dryRun = inputs.GetBool("dry-run", false);
            var deploymentId = RunnerEvent.ParseDeploymentId(inputs.Get("deployment-id"));
            var github = GitHubFor(inputs, environment, dryRun);
            var request = RunnerEvent.Read(root, eventPath, environment.EventName, deploymentId);
            var main = new MainStep(inputs, environment, variables, RunnerEvent.RepositoryOf(root, environment.Repository), github, LocksFor(inputs, environment), log, dryRun, shutdown);

            return request switch
            {
                RunnerEvent.PullRequestClosed closed => await main.TearDownAsync(closed.PullRequest),
                RunnerEvent.PullRequestUpdated updated => await main.PullRequestUpdatedAsync(updated.PullRequest),
                RunnerEvent.Pushed pushed => await main.PushedAsync(pushed.Push),
                RunnerEvent.Dispatched dispatched => await main.DispatchedAsync(dispatched.Dispatch),
                RunnerEvent.Commented commented => await main.CommentedAsync(commented.Comment),
                RunnerEvent.ExplicitDeployment explicitId => await main.DeployAsync(await main.FetchDeploymentAsync(explicitId.Id)),
                RunnerEvent.DeploymentRequested requested when RunnerMark.OwnedByAnotherRun(requested.Deployment, environment.RunId) => main.StandDown(requested.Deployment),
                RunnerEvent.DeploymentRequested requested => await main.DeployAsync(requested.Deployment),
                _ => throw new InvalidOperationException($"Unknown event kind {request.GetType().Name}."),
            };
        }
        catch (GitHubApiException e)
        {
            log.Error(e.Message, "GitHub API");
            return ExitCodes.Failed;
        }
        catch (ConfigurationException e)
        {
            log.Error(e.Message, "Configuration error");
            return ExitCodes.CouldNotStart;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            log.Error("Stopped before the deployment started.", "Cancelled");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            // A fault of the runner itself before any status was posted: one line, no stack trace
            // (unless debug logging is on).
            log.Debug(e.ToString());
            log.Error($"The runner failed: {e.GetType().Name}: {e.Message}", "Runner fault");
            return ExitCodes.CouldNotStart;
        }
    }

    /// <summary>
    /// The GitHub port: Octokit for a token; without one, a printer of the statuses for a local
    /// run (a dry run needs no token either). In Actions a missing token is a configuration error.
    /// </summary>
    private IGitHubDeployments GitHubFor(InputSet inputs, RunnerEnvironment environment, bool dryRun)
    {
        if (inputs.GetRaw("token") is { } token)
            return GitHubClient(environment, token);
        if (environment.IsActions && !dryRun)
            throw new ConfigurationException("Input `token` is empty. Leave it at its default (`${{ github.token }}`) and give the job `permissions: deployments: write`.", setting: "token");
        log.Info("No token and not in GitHub Actions: running locally; statuses are printed, not posted.");
        return new LocalStatusPrinter(log);
    }

    /// <summary>The GitHub port for a token: Octokit with our retries, retry notices as warnings.</summary>
    private OctokitGitHubDeployments GitHubClient(RunnerEnvironment environment, string token) =>
        new(environment.ApiUrl, token, Transport);

    /// <summary>The environment locks for a token (the same transport: one pacing of mutations); none without one.</summary>
    private GitHubEnvironmentLocks? LocksFor(InputSet inputs, RunnerEnvironment environment) =>
        inputs.GetRaw("token") is { } token ? GitHubEnvironmentLocks.Create(environment.ApiUrl, token, Transport, TimeProvider.System, log.Untrusted) : null;

    private HttpMessageHandler Transport => _transport ??= GitHubTransport.Create(RetryPolicy.Default, TimeProvider.System, message => log.Warning(message));

    private HttpMessageHandler? _transport;
}
