using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Inputs;

namespace DeployRunner.Locking;

/// <summary>
/// <c>lock.json</c>, the one file of a lock branch: written by the runner, read back with a
/// bound, because anyone who can push can also write that branch by hand.
/// </summary>
internal static class LockFile
{
    public const string Name = "lock.json";

    /// <summary>The largest <c>lock.json</c> read (a lock the runner writes is a few hundred bytes).</summary>
    public const int MaxBytes = 8 * 1024;

    /// <summary>The longest reason kept (longer ones are cut): it goes into a 140-character status and a comment.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The longest owner login: GitHub's logins are at most 39 characters; bots' carry a <c>[bot]</c> suffix.</summary>
    public const int MaxOwnerLength = 100;

    public static string Write(string environment, string owner, string? reason, DateTimeOffset createdAt, DateTimeOffset? expiresAt, string? runUrl) =>
        new JsonObject
        {
            ["environment"] = environment,
            ["owner"] = owner,
            ["reason"] = reason,
            ["created_at"] = Timestamp(createdAt),
            ["expires_at"] = expiresAt is { } expires ? Timestamp(expires) : null,
            ["run_url"] = runUrl,
        }.ToJsonString(JsonLimits.WriteOptions);

    /// <summary>
    /// The lock the file describes. A file that is too large, not JSON, of another shape or for
    /// another environment is a lock of <see cref="EnvironmentLock.UnknownOwner"/> that says why.
    /// </summary>
    public static EnvironmentLock Read(ReadOnlySpan<byte> bytes, string environment, string branch, string commitSha)
    {
        EnvironmentLock Unreadable(string problem) => EnvironmentLock.Unreadable(environment, branch, commitSha, $"{Name} on {branch} {problem}");

        if (bytes.Length > MaxBytes) return Unreadable($"is {bytes.Length} bytes, more than {MaxBytes}");
        JsonObject file;
        try
        {
            if (JsonNode.Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes), documentOptions: JsonLimits.DocumentOptions) is not JsonObject obj)
                return Unreadable("is not a JSON object");
            file = obj;
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            return Unreadable("is not JSON");
        }

        var named = Text(file, "environment");
        var owner = Text(file, "owner");
        if (named is null || owner is null)
            return Unreadable("has no `environment` or no `owner` text");
        if (!string.Equals(named, environment, StringComparison.OrdinalIgnoreCase))
            return Unreadable($"names another environment ('{LockBranch.Shown(named)}')");
        if (owner.Length > MaxOwnerLength || owner.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            return Unreadable("has an `owner` that is not a GitHub login");
        if (!TryTime(file, "created_at", out var created) || created is null || !TryTime(file, "expires_at", out var expires))
            return Unreadable("has a `created_at` or `expires_at` that is not an ISO 8601 time");
        if (file["reason"] is not (null or JsonValue) || file["run_url"] is not (null or JsonValue))
            return Unreadable("has a `reason` or `run_url` that is not text");

        var reason = Text(file, "reason");
        var runUrl = Text(file, "run_url");
        return new EnvironmentLock(
            named,
            branch,
            commitSha,
            owner,
            reason is null ? null : OneLine(reason, MaxReasonLength),
            created,
            expires,
            runUrl is not null && Uri.TryCreate(runUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? OneLine(runUrl, 500) : null);
    }

    private static string? Text(JsonObject file, string name) =>
        file[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static bool TryTime(JsonObject file, string name, out DateTimeOffset? time)
    {
        time = null;
        if (file[name] is null) return true;
        return Text(file, name) is { } text
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
               && (time = parsed.ToUniversalTime()) is not null;
    }

    private static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Text from the file kept to one line of at most <paramref name="max"/> characters (control characters as spaces).</summary>
    private static string OneLine(string text, int max) =>
        new(text.Take(max).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
