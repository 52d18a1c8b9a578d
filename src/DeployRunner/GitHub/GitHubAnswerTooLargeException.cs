namespace DeployRunner.GitHub;

/// <summary>
/// An answer's body was larger than <see cref="RetryPolicy.MaxAnswerBytes"/>. Not an
/// <see cref="HttpRequestException"/> on purpose: the retrying handler does not ask again for
/// an answer it would refuse again.
/// </summary>
internal sealed class GitHubAnswerTooLargeException(long limit, long? declared)
    : Exception(declared is { } size
        ? $"its answer declares {size} bytes, more than the {limit / 1024 / 1024} MiB the runner reads of one answer; not reading it"
        : $"its answer is longer than the {limit / 1024 / 1024} MiB the runner reads of one answer; stopped reading")
{
    public long Limit { get; } = limit;
}
