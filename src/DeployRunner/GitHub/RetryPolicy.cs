namespace DeployRunner.GitHub;

/// <summary>How hard to try one GitHub API call.</summary>
/// <param name="SecondaryRateLimitWait">The first wait after a secondary rate limit that names no time (GitHub asks for at least a minute).</param>
/// <param name="MutationSpacing">The least time between two mutative requests (GitHub asks for a second).</param>
internal sealed record RetryPolicy(int MaxAttempts, TimeSpan PerAttemptTimeout, TimeSpan MaxTotalWait, TimeSpan FirstBackoff)
{
    public static readonly RetryPolicy Default = new(5, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));

    public TimeSpan SecondaryRateLimitWait { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MutationSpacing { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Redirects followed for one request before its answer is taken as it is.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>
    /// The most the runner reads of one answer's body. GitHub's largest page (100 deployments with
    /// their payloads and creators) is a few hundred KiB; a body past this is not an answer to read
    /// but a broken or hostile server, and reading it whole once cost gigabytes.
    /// </summary>
    public long MaxAnswerBytes { get; init; } = DefaultMaxAnswerBytes;

    /// <summary>8 MiB: the README's Limits table.</summary>
    public const long DefaultMaxAnswerBytes = 8L * 1024 * 1024;
}
