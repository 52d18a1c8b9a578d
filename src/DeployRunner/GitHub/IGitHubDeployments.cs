using DeployRunner.Events;

namespace DeployRunner.GitHub;

/// <summary>
/// Our one port to GitHub's deployments API. Retries, time bounds and the base-address rules
/// live behind it; tests substitute it or serve it over HTTP.
/// </summary>
internal interface IGitHubDeployments
{
    Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken);

    /// <summary>
    /// Deployments matching the filter, newest first, as GitHub lists them. With
    /// <paramref name="limit"/> only that many are asked for (one request for up to 100);
    /// without it every page is read.
    /// </summary>
    Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(string repository, DeploymentFilter filter, int? limit, CancellationToken cancellationToken);

    /// <summary>One deployment by id; a missing one is a <see cref="GitHubApiException"/>.</summary>
    Task<Deployment> GetDeploymentAsync(string repository, long deploymentId, CancellationToken cancellationToken);

    /// <summary>A deployment's statuses, newest first; <paramref name="limit"/> as for deployments.</summary>
    Task<IReadOnlyList<DeploymentStatusRecord>> ListStatusesAsync(string repository, long deploymentId, int? limit, CancellationToken cancellationToken);

    /// <summary>
    /// The SHAs of a pull request's commits (<c>GET /repos/{o}/{r}/pulls/{n}/commits</c>), one
    /// request: at most <see cref="PullRequestCommitLimit"/>, oldest first, as GitHub lists them.
    /// </summary>
    Task<IReadOnlyList<string>> ListPullRequestCommitsAsync(string repository, long number, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a deployment (<c>POST /repos/{o}/{r}/deployments</c>). Every answer but 201 is a
    /// <see cref="GitHubApiException"/> whose message says why and what to do.
    /// </summary>
    Task<CreatedDeployment> CreateDeploymentAsync(string repository, NewDeployment deployment, CancellationToken cancellationToken);

    /// <summary>The commit SHA a branch, tag or SHA names (<c>GET /repos/{o}/{r}/commits/{ref}</c>).</summary>
    Task<string> ResolveCommitAsync(string repository, string gitRef, CancellationToken cancellationToken);

    /// <summary>One page of GitHub's largest size.</summary>
    public const int PullRequestCommitLimit = 100;
}
