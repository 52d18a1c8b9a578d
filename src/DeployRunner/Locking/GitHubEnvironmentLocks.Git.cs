using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.GitHub;
using Octokit;

namespace DeployRunner.Locking;

/// <summary>
/// The git data calls a lock is made of (https://docs.github.com/en/rest/git), each one bounded
/// request whose answer is checked before it is believed.
/// </summary>
internal sealed partial class GitHubEnvironmentLocks
{
    private const string Accept = "application/vnd.github+json";
    private const string Write = "write";
    private const string Read = "read";

    /// <summary>A tree holding <c>lock.json</c> (its content inline: GitHub writes the blob) and a commit of it without parents.</summary>
    private async Task<string> CreateLockCommitAsync(string repository, string branch, string content, string message, CancellationToken cancellationToken)
    {
        var what = $"lock ({branch}): create its tree";
        var tree = await PostAsync(what, Write, repository, "git/trees", new JsonObject
        {
            ["tree"] = new JsonArray(new JsonObject { ["path"] = LockFile.Name, ["mode"] = "100644", ["type"] = "blob", ["content"] = content }),
        }, cancellationToken);
        var treeSha = Sha(tree, what, "a tree");
        what = $"lock ({branch}): create its commit";
        var commit = await PostAsync(what, Write, repository, "git/commits", new JsonObject
        {
            ["message"] = message,
            ["tree"] = treeSha,
            ["parents"] = new JsonArray(),
        }, cancellationToken);
        return Sha(commit, what, "a commit");
    }

    /// <summary>True when this call created the branch; false when it already exists (GitHub's 422 "Reference already exists").</summary>
    private async Task<bool> TryCreateBranchAsync(string repository, string branch, string commit, CancellationToken cancellationToken)
    {
        var what = $"lock: create the branch {branch}";
        try
        {
            var made = await PostAsync(what, Write, repository, "git/refs", new JsonObject { ["ref"] = "refs/heads/" + branch, ["sha"] = commit }, cancellationToken);
            if (made["object"] is not JsonObject target || Text(target["sha"]) != commit)
                throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not the new branch. Check the branch {branch} in the repository.");
            return true;
        }
        catch (GitHubApiException e) when (e.InnerException is ApiException { StatusCode: (HttpStatusCode)422 } refusal
                                           && OctokitGitHubDeployments.ApiMessage(refusal)?.Contains("already exists", StringComparison.OrdinalIgnoreCase) == true)
        {
            return false;
        }
    }

    /// <summary>The commit a lock branch points to; null when there is no such branch (404).</summary>
    private async Task<string?> BranchCommitAsync(string repository, string branch, CancellationToken cancellationToken)
    {
        var what = $"check the lock branch {branch}";
        var answer = await GetAsync(what, Read, repository, $"git/ref/heads/{RefPath(branch)}", null, cancellationToken);
        if (answer is null) return null;
        if (answer["object"] is not JsonObject target || Text(answer["ref"]) != "refs/heads/" + branch)
            throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not that branch.");
        return CommitSha(target["sha"], what);
    }

    /// <summary><c>lock.json</c> at exactly <paramref name="commit"/> (not the branch, which may move meanwhile).</summary>
    private async Task<EnvironmentLock> ReadFileAsync(string repository, string environment, string branch, string commit, CancellationToken cancellationToken)
    {
        var what = $"read {LockFile.Name} of the lock branch {branch}";
        var file = await GetAsync(what, Read, repository, $"contents/{LockFile.Name}", new Dictionary<string, string> { ["ref"] = commit }, cancellationToken);
        if (file is null)
            return EnvironmentLock.Unreadable(environment, branch, commit, $"{LockFile.Name} is missing from {branch}");
        if (Text(file["type"]) != "file")
            return EnvironmentLock.Unreadable(environment, branch, commit, $"{LockFile.Name} on {branch} is not a file");
        // The contents API leaves out files over 1 MB (encoding "none"): the size says enough.
        if (file["size"] is JsonValue size && size.TryGetValue<long>(out var bytes) && bytes > LockFile.MaxBytes)
            return EnvironmentLock.Unreadable(environment, branch, commit, $"{LockFile.Name} on {branch} is {bytes} bytes, more than {LockFile.MaxBytes}");
        if (Text(file["encoding"]) != "base64" || Text(file["content"]) is not { } base64)
            throw new GitHubApiException($"Could not {what}: GitHub answered without the file's base64 content.");
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new GitHubApiException($"Could not {what}: GitHub's answer holds content that is not base64.");
        }

        return LockFile.Read(decoded, environment, branch, commit);
    }

    /// <summary>Deletes a branch; one that is already gone counts as deleted (GitHub's 422 "Reference does not exist").</summary>
    private async Task DeleteBranchAsync(string repository, string branch, string why, CancellationToken cancellationToken)
    {
        var what = $"{why}: delete the branch {branch}";
        try
        {
            await CallAsync(what, Write, async () =>
                (await connection.Delete(OctokitGitHubDeployments.RepositoryUri(repository, $"git/refs/heads/{RefPath(branch)}")).WaitAsync(cancellationToken), 0));
        }
        catch (GitHubApiException e) when (e.InnerException is ApiException { StatusCode: (HttpStatusCode)422 or HttpStatusCode.NotFound })
        {
            // Gone already.
        }
    }

    /// <summary>Every lock branch and its commit (<c>GET /git/matching-refs/heads/deploy-lock/</c>), at most <see cref="IEnvironmentLocks.MaxListed"/>.</summary>
    private async Task<(IReadOnlyList<(string Branch, string Commit)> Branches, bool Truncated)> ListBranchesAsync(string repository, CancellationToken cancellationToken)
    {
        var what = "list the lock branches";
        var answer = await CallAsync(what, Read, () => connection.Get<JsonElement>(
            OctokitGitHubDeployments.RepositoryUri(repository, $"git/matching-refs/heads/{LockBranch.Prefix}"), new Dictionary<string, string>(), Accept, cancellationToken));
        if (answer.Body.ValueKind != JsonValueKind.Array)
            throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not a list.");
        var branches = new List<(string, string)>();
        foreach (var item in answer.Body.EnumerateArray())
        {
            if (branches.Count == IEnvironmentLocks.MaxListed) return (branches, true);
            var node = JsonObject.Create(item);
            if (node is null || Text(node["ref"]) is not { } name || !name.StartsWith("refs/heads/" + LockBranch.Prefix, StringComparison.Ordinal) || node["object"] is not JsonObject target)
                throw new GitHubApiException($"Could not {what}: GitHub answered with an item that is not a lock branch.");
            branches.Add((name["refs/heads/".Length..], CommitSha(target["sha"], what)));
        }

        return (branches, false);
    }

    private async Task<JsonObject> PostAsync(string what, string permission, string repository, string path, JsonObject body, CancellationToken cancellationToken)
    {
        var answer = await CallAsync(what, permission, () => connection.Post<JsonElement>(
            OctokitGitHubDeployments.RepositoryUri(repository, path), body, Accept, "application/json", (IDictionary<string, string>?)null, cancellationToken));
        return answer.Body.ValueKind == JsonValueKind.Object && JsonObject.Create(answer.Body) is { } created
            ? created
            : throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not a JSON object.");
    }

    /// <summary>A GET whose 404 means "there is none" (null).</summary>
    private async Task<JsonObject?> GetAsync(string what, string permission, string repository, string path, Dictionary<string, string>? query, CancellationToken cancellationToken)
    {
        IApiResponse<JsonElement>? answer;
        try
        {
            answer = await OctokitGitHubDeployments.CallAsync(what, () => connection.Get<JsonElement>(
                OctokitGitHubDeployments.RepositoryUri(repository, path), query ?? new Dictionary<string, string>(), Accept, cancellationToken));
        }
        catch (GitHubApiException e) when (e.InnerException is NotFoundException)
        {
            return null;
        }
        catch (GitHubApiException e) when (Clearer(what, permission, e) is { } clearer)
        {
            throw clearer;
        }

        return answer.Body.ValueKind == JsonValueKind.Object && JsonObject.Create(answer.Body) is { } found
            ? found
            : throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not a JSON object.");
    }

    private static async Task<T> CallAsync<T>(string what, string permission, Func<Task<T>> call)
    {
        try
        {
            return await OctokitGitHubDeployments.CallAsync(what, call);
        }
        catch (GitHubApiException e) when (Clearer(what, permission, e) is { } clearer)
        {
            throw clearer;
        }
    }

    /// <summary>The generic messages speak of deployments; a lock is a branch, and needs <c>contents</c>.</summary>
    private static GitHubApiException? Clearer(string what, string permission, GitHubApiException e) => e.InnerException switch
    {
        ForbiddenException forbidden when !OctokitGitHubDeployments.IsRateLimit(forbidden) => new GitHubApiException(
            $"Could not {what}: forbidden (403, {OctokitGitHubDeployments.ApiMessage(forbidden) ?? "no message"}). Environment locks are branches: give the job `permissions: contents: {permission}`"
            + (permission == Read ? " (to check for a lock before deploying)." : " (to lock and unlock)."),
            forbidden,
            mayHaveTakenEffect: false),
        NotFoundException notFound => new GitHubApiException(
            $"Could not {what}: not found (404). Check that the repository exists and that the token can see it (`permissions: contents: {permission}`).", notFound, mayHaveTakenEffect: false),
        _ => null,
    };

    /// <summary>A branch name as a URL path: each component escaped, so the encoding's <c>%</c> reaches GitHub as itself.</summary>
    private static string RefPath(string branch) => string.Join('/', branch.Split('/').Select(Uri.EscapeDataString));

    private static string Sha(JsonObject answer, string what, string expected) =>
        CommitSha(answer["sha"], what) is { } sha ? sha : throw new GitHubApiException($"Could not {what}: GitHub answered without the SHA of {expected}.");

    private static string CommitSha(JsonNode? node, string what) =>
        Text(node) is { Length: 40 or 64 } sha && sha.All(char.IsAsciiHexDigit)
            ? sha.ToLowerInvariant()
            : throw new GitHubApiException($"Could not {what}: GitHub answered with an object id that is not a SHA.");

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
