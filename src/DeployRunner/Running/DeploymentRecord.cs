using System.Globalization;
using DeployRunner.GitHub;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>
/// What the main step is about to tell GitHub and what GitHub confirmed, per deployment, in
/// <c>GITHUB_STATE</c> for the post step (intent, then outcome). Each deployment has its own
/// entry <c>deployment-ID</c>: <c>posting:STATE</c> is written before a status request,
/// <c>posted:STATE</c> once GitHub confirmed it, <c>not-started</c> when GitHub refused
/// <c>in_progress</c>, <c>skipping:STATE</c> before the status of a deployment that is not run
/// (superseded): nothing was started, so there is nothing for the post step to close. A lost
/// answer leaves <c>posting:</c>, which tells the post step to ask the API instead of guessing. The pair <c>deployment-id</c> / <c>posted</c> (the last confirmed
/// status) is kept for post steps of earlier versions.
/// </summary>
/// <remarks>
/// A state file that cannot be written (a full disk) must not stop a status from being posted:
/// the failure is a warning, once, and the main step carries on without a safety net.
/// </remarks>
internal sealed class DeploymentRecord(WorkflowFiles files, IWorkflowLog log)
{
    public const string KeyPrefix = "deployment-";
    public const string Posting = "posting:";
    public const string Posted = "posted:";
    public const string NotStarted = "not-started";
    public const string Skipping = "skipping:";

    private int _warned;

    public static string Key(long deploymentId) => KeyPrefix + deploymentId.ToString(CultureInfo.InvariantCulture);

    public Task IntendAsync(long deploymentId, DeploymentState state) =>
        SaveAsync(deploymentId, Posting + state.ToApiName());

    public async Task ConfirmAsync(long deploymentId, DeploymentState state)
    {
        await SaveAsync(deploymentId, Posted + state.ToApiName());
        await SaveAsync("deployment-id", deploymentId.ToString(CultureInfo.InvariantCulture));
        await SaveAsync("posted", state.ToApiName());
    }

    public Task NotStartedAsync(long deploymentId) => SaveAsync(deploymentId, NotStarted);

    /// <summary>Before the one status of a deployment that is not run: never in progress, whatever GitHub answers.</summary>
    public Task SkippingAsync(long deploymentId, DeploymentState state) =>
        SaveAsync(deploymentId, Skipping + state.ToApiName());

    /// <summary>
    /// The runner created this deployment itself (<c>created-ID</c>): it has no status yet, and if
    /// the main step dies before its final status the post step must close it, whatever else it finds.
    /// </summary>
    public Task CreatedAsync(long deploymentId) => SaveAsync(CreatedPrefix + deploymentId.ToString(CultureInfo.InvariantCulture), "true");

    public const string CreatedPrefix = "created-";

    private Task SaveAsync(long deploymentId, string value) => SaveAsync(Key(deploymentId), value);

    private async Task SaveAsync(string name, string value)
    {
        try
        {
            await files.SaveStateAsync(name, value, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                log.Warning($"Could not write GITHUB_STATE ({e.Message}): the post step will not be able to close this deployment if the main step is killed. Statuses are still posted.");
        }
    }
}
