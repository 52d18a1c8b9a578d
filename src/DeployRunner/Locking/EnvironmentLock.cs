using System.Globalization;

namespace DeployRunner.Locking;

/// <summary>
/// One environment's lock as its branch holds it. A lock whose <c>lock.json</c> cannot be read
/// (malformed, too large, another environment's) is still a lock: held by
/// <see cref="UnknownOwner"/>, never expiring, with <see cref="Problem"/> saying what is wrong,
/// so a broken file blocks deploys loudly instead of being ignored.
/// </summary>
/// <param name="Environment">The environment as <c>lock.json</c> names it (or as the branch name decodes).</param>
/// <param name="Branch">The branch, without <c>refs/heads/</c>: what a user deletes to remove the lock by hand.</param>
/// <param name="CommitSha">The commit the branch pointed to when read.</param>
internal sealed record EnvironmentLock(
    string Environment,
    string Branch,
    string CommitSha,
    string Owner,
    string? Reason,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? ExpiresAt,
    string? RunUrl,
    string? Problem = null)
{
    public const string UnknownOwner = "unknown";

    /// <summary>A lock whose file cannot be believed: held by nobody known, never expiring.</summary>
    public static EnvironmentLock Unreadable(string environment, string branch, string commitSha, string problem) =>
        new(environment, branch, commitSha, UnknownOwner, null, null, null, null, problem);

    public bool IsExpired(DateTimeOffset now) => Problem is null && ExpiresAt is { } expires && expires <= now;

    /// <summary>True when <paramref name="login"/> holds this lock (GitHub logins are not case sensitive). Nobody holds a lock of an unknown owner.</summary>
    public bool IsHeldBy(string? login) =>
        Problem is null && login is { Length: > 0 } && string.Equals(Owner, login, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// One line for a log, a reply or a status: who, why, how long ago, until when. Owner and
    /// reason are the lock holder's text: a caller that prints it to the workflow log escapes it.
    /// </summary>
    public string Describe(DateTimeOffset now)
    {
        if (Problem is not null)
            return $"locked by an unreadable lock ({Problem}); delete the branch {Branch} to remove it";
        var text = $"locked by @{Owner}";
        if (CreatedAt is { } created) text += $" {Age(now - created)} ago";
        text += Reason is { Length: > 0 } reason ? $": {reason}" : " (no reason given)";
        text += ExpiresAt is { } expires ? $" (expires in {Age(expires - now)})" : " (no expiry)";
        return text;
    }

    /// <summary>A coarse age: <c>45s</c>, <c>12m</c>, <c>3h 5m</c>, <c>2d 4h</c>.</summary>
    public static string Age(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds}s")
            : span.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m")
            : span.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d {span.Hours}h");
    }
}
