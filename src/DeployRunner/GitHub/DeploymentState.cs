namespace DeployRunner.GitHub;

/// <summary>The states a deployment status can take (REST API, 2022-11-28).</summary>
internal enum DeploymentState
{
    Queued,
    Pending,
    InProgress,
    Success,
    Failure,
    Error,
    Inactive,
}
