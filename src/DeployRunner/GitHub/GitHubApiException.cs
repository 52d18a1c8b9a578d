namespace DeployRunner.GitHub;

/// <summary>
/// A GitHub API call failed for good (after retries). <see cref="MayHaveTakenEffect"/> is false
/// only when GitHub answered with a refusal (4xx): after a lost answer or a server error, a
/// status may have been recorded even though the call failed.
/// </summary>
internal sealed class GitHubApiException(string message, Exception? inner = null, bool mayHaveTakenEffect = true) : DeployRunnerException(message, inner)
{
    public bool MayHaveTakenEffect { get; } = mayHaveTakenEffect;
}
