using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Status;
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
            var inputs = InputSet.From(variables, []);
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
            IReadOnlyList<string> inputArguments;
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
                ?? throw new ConfigurationException("No event: GITHUB_EVENT_PATH is not set. Run the action in a workflow triggered by `on: deployment`, or pass --event PATH to a deployment event file (such as examples/events/deploy.json). Run with --help for every option.");
            var root = await DeploymentEventReader.ReadRootAsync(eventPath, shutdown);
            var dryRun = inputs.GetBool("dry-run", false);
            var deploymentId = inputs.Get("deployment-id") is { } idText
                ? long.TryParse(idText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsedId) && parsedId > 0
                    ? parsedId
                    : throw new ConfigurationException($"Input `deployment-id` must be a deployment's numeric id, not '{idText}'.")
                : (long?)null;

            var token = inputs.GetRaw("token");
            IGitHubDeployments github;
            if (token is not null)
            {
                github = GitHubClient(environment, token);
            }
            else if (environment.IsActions && !dryRun)
            {
                throw new ConfigurationException("Input `token` is empty. Leave it at its default (`${{ github.token }}`) and give the job `permissions: deployments: write`.");
            }
            else
            {
                log.Info("No token and not in GitHub Actions: running locally; statuses are printed, not posted.");
                github = new LocalStatusPrinter(log);
            }

            // Which event this is decides the work: an explicit id from any event, a deployment, or
            // a closed pull request whose review apps go.
            var pullRequest = deploymentId is null && root["deployment"] is null ? PullRequestEvent.TryRead(root, environment.EventName, eventPath) : null;
            var eventRepository = DeploymentEventReader.Text(root["repository"]?["full_name"]);
            var repository = eventRepository is { Length: > 0 } ? eventRepository : environment.Repository ?? "local/repository";
            var files = dryRun ? WorkflowFiles.None : new WorkflowFiles(environment.OutputPath, environment.StatePath, environment.SummaryPath);
            var runner = new DeploymentRunner(github, log, files, TimeProvider.System, environment.LogUrl(repository));
            var preparer = new DeploymentPreparer(inputs, environment, new HandlerContext(log, variables, environment.Workspace, TimeProvider.System));

            async Task<Deployment> FetchDeploymentAsync(long id)
            {
                try
                {
                    return await github.GetDeploymentAsync(repository, id, shutdown);
                }
                catch (GitHubApiException e)
                {
                    throw new ConfigurationException($"Input `deployment-id` is {id}, but that deployment could not be read from {repository}: {e.Message}");
                }
            }

            if (pullRequest is not null)
            {
                if (dryRun)
                {
                    log.Info($"Dry run: pull request #{pullRequest.Number} closed; its transient environments would be removed. Nothing is run and no status is posted.");
                    return ExitCodes.Deployed;
                }

                if (github is LocalStatusPrinter)
                {
                    // The transient deployments are found through the API, which a local run does not ask.
                    log.Info($"Pull request #{pullRequest.Number} closed: running locally without a token, so the GitHub API was not asked which transient deployments it had; nothing was removed. Pass --token (and GITHUB_REPOSITORY) to tear them down from here.");
                    return ExitCodes.Deployed;
                }

                var teardown = new ReviewAppTeardown(github, log, files, runner, environment.LogUrl(repository),
                    (deployment, cancellationToken) => preparer.PrepareAsync(new DeploymentEvent(null, deployment, repository), cancellationToken));
                return await teardown.RunAsync(repository, pullRequest, shutdown);
            }

            var deploymentEvent = deploymentId is { } id
                ? new DeploymentEvent(null, await FetchDeploymentAsync(id), repository)
                : DeploymentEventReader.FromRoot(root, eventPath, environment.EventName);
            var deployment = deploymentEvent.Deployment;
            repository = deploymentEvent.Repository.Length > 0 ? deploymentEvent.Repository : repository;

            log.Untrusted(
                $"Deployment {deployment.Id} of {repository}: task '{deployment.Task}', environment '{deployment.Environment}', ref '{deployment.Ref}', sha {deployment.Sha}"
                + (deployment.Description is null ? "" : $"\nDescription: {deployment.Description}")
                + (deployment.Payload.IsEmpty ? "" : $"\nPayload: {deployment.Payload.ToScriptValue()}"));

            PreparedDeployment prepared;
            try
            {
                prepared = await preparer.PrepareAsync(deploymentEvent, shutdown);
            }
            catch (ConfigurationException e) when (!dryRun)
            {
                log.Error(e.Message, "Configuration error");
                await runner.ReportConfigurationErrorAsync(repository, deployment.Id, e.Message, shutdown);
                return ExitCodes.CouldNotStart;
            }

            if (dryRun)
            {
                await DryRun.PrintAsync(prepared, log, shutdown);
                return ExitCodes.Deployed;
            }

            if (prepared.Plan.Settings.GetBool("skip-superseded", true)
                && await runner.SkipIfSupersededAsync(prepared.Plan, shutdown) is { } skipped)
            {
                return skipped;
            }

            return await runner.RunAsync(prepared.Plan, prepared.Handler, shutdown);
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

    /// <summary>The GitHub port for a token: Octokit with our retries, retry notices as warnings.</summary>
    private OctokitGitHubDeployments GitHubClient(RunnerEnvironment environment, string token) =>
        new(environment.ApiUrl, token, new RetryingHttpHandler(RetryPolicy.Default, TimeProvider.System, message => log.Warning(message)));
}
