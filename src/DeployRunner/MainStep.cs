using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Locking;
using DeployRunner.Planning;
using DeployRunner.Running;
using DeployRunner.Workflow;

namespace DeployRunner;

/// <summary>
/// The main step's work for one repository, once the edge has decided what the event asks for:
/// deploy one deployment, create deployments and deploy them (push, pull request, dispatch), or
/// tear down a closed pull request's review apps.
/// </summary>
internal sealed partial class MainStep
{
    private readonly IWorkflowLog _log;
    private readonly string _repository;
    private readonly IGitHubDeployments _github;
    private readonly bool _dryRun;
    private readonly CancellationToken _shutdown;
    private readonly WorkflowFiles _files;
    private readonly DeploymentRunner _runner;
    private readonly DeploymentPreparer _preparer;
    private readonly string? _logUrl;
    private readonly InputSet _inputs;
    private readonly RunnerEnvironment _environment;
    private readonly LockGuard _locks;
    private readonly IEnvironmentLocks? _lockStore;

    public MainStep(
        InputSet inputs,
        RunnerEnvironment environment,
        IReadOnlyDictionary<string, string> variables,
        string repository,
        IGitHubDeployments github,
        IEnvironmentLocks? locks,
        IWorkflowLog log,
        bool dryRun,
        CancellationToken shutdown)
    {
        _locks = new LockGuard(locks, TimeProvider.System);
        _lockStore = locks;
        _log = log;
        _inputs = inputs;
        _environment = environment;
        _repository = repository;
        _github = github;
        _dryRun = dryRun;
        _shutdown = shutdown;
        _logUrl = environment.LogUrl(repository);
        _files = dryRun ? WorkflowFiles.None : new WorkflowFiles(environment.OutputPath, environment.StatePath, environment.SummaryPath);
        _runner = new DeploymentRunner(github, log, _files, TimeProvider.System, _logUrl);
        _preparer = new DeploymentPreparer(inputs, environment, new HandlerContext(log, variables, environment.Workspace, TimeProvider.System) { Stopping = shutdown });
    }

    /// <summary>Input <c>deployment-id</c>: the deployment as the API has it.</summary>
    public async Task<Deployment> FetchDeploymentAsync(long id)
    {
        try
        {
            return await _github.GetDeploymentAsync(_repository, id, _shutdown);
        }
        catch (GitHubApiException e)
        {
            throw new ConfigurationException($"Input `deployment-id` is {id}, but that deployment could not be read from {_repository}: {e.Message}", setting: "deployment-id");
        }
    }

    public async Task<int> TearDownAsync(PullRequestEvent pullRequest)
    {
        if (_dryRun)
        {
            _log.Info($"Dry run: pull request #{pullRequest.Number} closed; its transient environments would be removed. Nothing is run and no status is posted.");
            return ExitCodes.Deployed;
        }

        if (_github is LocalStatusPrinter)
        {
            // The transient deployments are found through the API, which a local run does not ask.
            _log.Info($"Pull request #{pullRequest.Number} closed: running locally without a token, so the GitHub API was not asked which transient deployments it had; nothing was removed. Pass --token (and GITHUB_REPOSITORY) to tear them down from here.");
            return ExitCodes.Deployed;
        }

        var teardown = new ReviewAppTeardown(_github, _log, _files, _runner, _logUrl,
            (deployment, cancellationToken) => _preparer.PrepareAsync(new DeploymentEvent(null, deployment, _repository), cancellationToken),
            RefuseLockedRemovalAsync);
        return await teardown.RunAsync(_repository, pullRequest, _shutdown);
    }

    public async Task<int> DeployAsync(Deployment deployment) => (await DeployWithUrlAsync(deployment)).Exit;

    /// <summary>Deploys, and says where the environment is when it succeeded (a comment command's reply links it).</summary>
    private async Task<(int Exit, string? EnvironmentUrl)> DeployWithUrlAsync(Deployment deployment)
    {
        _log.Untrusted(
            $"Deployment {deployment.Id} of {_repository}: task '{deployment.Task}', environment '{deployment.Environment}', ref '{deployment.Ref}', sha {deployment.Sha}"
            + (deployment.Description is null ? "" : $"\nDescription: {deployment.Description}")
            + (deployment.Payload.IsEmpty ? "" : $"\nPayload: {deployment.Payload.ToScriptValue()}"));

        PreparedDeployment prepared;
        try
        {
            prepared = await _preparer.PrepareAsync(new DeploymentEvent(null, deployment, _repository), _shutdown);
        }
        catch (ConfigurationException e) when (!_dryRun)
        {
            _log.Error(e.Message, "Configuration error");
            await _runner.ReportConfigurationErrorAsync(_repository, deployment.Id, e.Message, _shutdown);
            return (ExitCodes.CouldNotStart, null);
        }

        var owner = DeploymentOwner.Of(deployment, _environment.RunId);
        var verdict = await _locks.CheckAsync(_repository, deployment.Environment, owner, _shutdown);
        if (_dryRun)
        {
            await DryRun.PrintAsync(prepared, _log, _shutdown);
            ShowLock(deployment.Environment, owner, verdict);
            return (ExitCodes.Deployed, null);
        }

        if (await RefuseIfLockedAsync(prepared.Plan, owner, verdict) is { } refused)
            return (refused, null);

        if (prepared.Plan.SkipSuperseded
            && await _runner.SkipIfSupersededAsync(prepared.Plan, _shutdown) is { } skipped)
        {
            return (skipped, null);
        }

        var exit = await _runner.RunAsync(prepared.Plan, prepared.Handler, _shutdown);
        return (exit, exit == ExitCodes.Deployed ? prepared.Plan.EnvironmentUrl : null);
    }
}
