using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>
/// The git data API (blobs, trees, commits, refs, matching refs) and the contents API, as much as
/// environment locks use: objects are kept by SHA, refs in one table whose changes happen under
/// the fake's lock, so two concurrent <c>POST /git/refs</c> really race and exactly one gets 201
/// (the other 422 "Reference already exists", as GitHub answers). A missing <c>contents</c>
/// permission answers 403 "Resource not accessible by integration", as GitHub does for a job's token.
/// </summary>
public sealed partial class FakeGitHubApi
{
    private readonly Dictionary<string, byte[]> _gitBlobs = [];
    private readonly Dictionary<string, List<(string Path, string Blob)>> _gitTrees = [];
    private readonly Dictionary<string, string> _gitCommits = [];
    private readonly Dictionary<string, string> _gitRefs = new(StringComparer.Ordinal);

    private readonly List<(Func<RecordedRequest, bool> Matches, int Left)> _lostGitAnswers = [];

    /// <summary>GitHub does the git data request, then the connection drops before the answer arrives.</summary>
    public void LoseGitAnswers(Func<RecordedRequest, bool> matches, int times = 1)
    {
        lock (_gate) _lostGitAnswers.Add((matches, times));
    }

    /// <summary>Matches a request by method and a piece of its path (<c>/git/refs</c>, <c>/git/ref/</c>, <c>/contents/</c>...).</summary>
    public static Func<RecordedRequest, bool> GitCall(string method, string pathPart) => request =>
        request.Method == method && request.Path.Contains(pathPart, StringComparison.Ordinal);

    /// <summary>What the token may do with the repository's contents: <c>write</c> (default), <c>read</c> or <c>none</c>.</summary>
    public string ContentsPermission { get; set; } = "write";

    /// <summary>Every ref (full name, <c>refs/heads/...</c>) and the commit it points to.</summary>
    public IReadOnlyDictionary<string, string> GitRefs
    {
        get { lock (_gate) return new Dictionary<string, string>(_gitRefs); }
    }

    /// <summary>A branch made as a user (or a runner) would: a commit holding <paramref name="files"/>, without parents.</summary>
    public string PlantBranch(string branch, IReadOnlyDictionary<string, byte[]> files)
    {
        lock (_gate)
        {
            var tree = StoreTree(files.Select(f => (f.Key, StoreBlob(f.Value))).ToList());
            var commit = StoreCommit(tree);
            _gitRefs["refs/heads/" + branch] = commit;
            return commit;
        }
    }

    /// <summary>A lock branch with <c>lock.json</c> holding <paramref name="lockJson"/> as UTF-8.</summary>
    public string PlantLock(string branch, string lockJson) =>
        PlantBranch(branch, new Dictionary<string, byte[]> { ["lock.json"] = Encoding.UTF8.GetBytes(lockJson) });

    /// <summary>The file at <paramref name="path"/> on <paramref name="branch"/>, or null.</summary>
    public byte[]? FileOnBranch(string branch, string path)
    {
        lock (_gate)
        {
            return _gitRefs.TryGetValue("refs/heads/" + branch, out var commit) ? FileAt(commit, path) : null;
        }
    }

    private static bool IsGitDataPath(string[] segments) =>
        segments.Length >= 5 && segments[0] == "repos" && segments[3] is "git" or "contents";

    /// <summary>Answers a git data or contents request; false for any other path.</summary>
    private async Task<bool> HandleGitDataAsync(HttpContext context, RecordedRequest request, string path)
    {
        var segments = path.Trim('/').Split('/');
        if (!IsGitDataPath(segments)) return false;
        if (context.Request.Headers.Authorization.ToString() is not { Length: > 0 })
        {
            await JsonAsync(context, 401, new JsonObject { ["message"] = "Requires authentication" });
            return true;
        }

        var writing = context.Request.Method != "GET";
        if (ContentsPermission == "none" || writing && ContentsPermission != "write")
        {
            await JsonAsync(context, 403, new JsonObject { ["message"] = "Resource not accessible by integration", ["documentation_url"] = "https://docs.github.com/rest" });
            return true;
        }

        var rest = string.Join('/', segments.Skip(4));
        var (status, body) = (context.Request.Method, segments[3]) switch
        {
            ("GET", "contents") => Contents(rest, context.Request.Query["ref"].ToString()),
            ("POST", "git") when rest == "blobs" => CreateBlob(request.Json),
            ("POST", "git") when rest == "trees" => CreateTree(request.Json),
            ("POST", "git") when rest == "commits" => CreateCommit(request.Json),
            ("POST", "git") when rest == "refs" => CreateRef(request.Json),
            ("GET", "git") when rest.StartsWith("ref/", StringComparison.Ordinal) => GetRef("refs/" + rest["ref/".Length..]),
            ("GET", "git") when rest.StartsWith("matching-refs/", StringComparison.Ordinal) => MatchingRefs("refs/" + rest["matching-refs/".Length..]),
            ("DELETE", "git") when rest.StartsWith("refs/", StringComparison.Ordinal) => DeleteRef(rest),
            _ => (404, (JsonNode)new JsonObject { ["message"] = "Not Found" }),
        };
        if (TakeLostAnswer(request))
            context.Abort();
        else if (status == 204)
            context.Response.StatusCode = 204;
        else
            await JsonAsync(context, status, body);
        return true;
    }

    private bool TakeLostAnswer(RecordedRequest request)
    {
        lock (_gate)
        {
            var index = _lostGitAnswers.FindIndex(l => l.Left > 0 && l.Matches(request));
            if (index < 0) return false;
            _lostGitAnswers[index] = (_lostGitAnswers[index].Matches, _lostGitAnswers[index].Left - 1);
            return true;
        }
    }

    private (int, JsonNode) CreateBlob(JsonObject? json)
    {
        if (json?["content"]?.GetValue<string>() is not { } content) return Invalid("content is missing");
        var bytes = json["encoding"]?.GetValue<string>() == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
        lock (_gate) return (201, new JsonObject { ["sha"] = StoreBlob(bytes) });
    }

    private (int, JsonNode) CreateTree(JsonObject? json)
    {
        if (json?["tree"] is not JsonArray entries || json["base_tree"] is not null) return Invalid("tree is missing (and base_tree is not supported here)");
        lock (_gate)
        {
            var files = new List<(string, string)>();
            foreach (var entry in entries.OfType<JsonObject>())
            {
                var path = entry["path"]?.GetValue<string>();
                if (path is null || entry["type"]?.GetValue<string>() != "blob" || entry["mode"]?.GetValue<string>() != "100644") return Invalid("tree entry is not a file blob");
                var blob = entry["content"]?.GetValue<string>() is { } content ? StoreBlob(Encoding.UTF8.GetBytes(content)) : entry["sha"]?.GetValue<string>();
                if (blob is null || !_gitBlobs.ContainsKey(blob)) return Invalid("tree.sha is not a blob");
                files.Add((path, blob));
            }

            var tree = StoreTree(files);
            return (201, new JsonObject { ["sha"] = tree, ["tree"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Item1, ["sha"] = f.Item2, ["type"] = "blob", ["mode"] = "100644" }).ToArray()) });
        }
    }

    private (int, JsonNode) CreateCommit(JsonObject? json)
    {
        if (json?["tree"]?.GetValue<string>() is not { } tree || json["message"] is null) return Invalid("tree or message is missing");
        if (json["parents"] is JsonArray { Count: > 0 }) return Invalid("parents are not supported here");
        lock (_gate)
        {
            if (!_gitTrees.ContainsKey(tree)) return Invalid("Tree SHA does not exist");
            return (201, new JsonObject { ["sha"] = StoreCommit(tree), ["tree"] = new JsonObject { ["sha"] = tree }, ["message"] = json["message"]!.DeepClone() });
        }
    }

    private (int, JsonNode) CreateRef(JsonObject? json)
    {
        if (json?["ref"]?.GetValue<string>() is not { } name || json["sha"]?.GetValue<string>() is not { } sha) return Invalid("ref or sha is missing");
        if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.Count(c => c == '/') < 2) return Invalid("ref must start with 'refs' and have at least two slashes.");
        lock (_gate)
        {
            if (!_gitCommits.ContainsKey(sha)) return Invalid("Object does not exist");
            // The atomic step: check and insert under one lock, as GitHub's ref update is.
            if (!_gitRefs.TryAdd(name, sha)) return Invalid("Reference already exists");
        }

        return (201, RefJson(name, sha));
    }

    private (int, JsonNode) GetRef(string name)
    {
        lock (_gate)
            return _gitRefs.TryGetValue(name, out var sha) ? (200, RefJson(name, sha)) : (404, new JsonObject { ["message"] = "Not Found" });
    }

    private (int, JsonNode) MatchingRefs(string prefix)
    {
        lock (_gate)
        {
            return (200, new JsonArray(_gitRefs.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => (JsonNode)RefJson(r.Key, r.Value)).ToArray()));
        }
    }

    private (int, JsonNode) DeleteRef(string name)
    {
        lock (_gate)
            return _gitRefs.Remove(name) ? (204, new JsonObject()) : Invalid("Reference does not exist");
    }

    private (int, JsonNode) Contents(string path, string gitRef)
    {
        byte[]? bytes;
        lock (_gate)
        {
            var commit = gitRef.Length == 0 ? null
                : _gitCommits.ContainsKey(gitRef) ? gitRef
                : _gitRefs.GetValueOrDefault("refs/heads/" + gitRef);
            bytes = commit is null ? null : FileAt(commit, path);
        }

        if (bytes is null) return (404, new JsonObject { ["message"] = "Not Found" });
        // As GitHub: base64 in lines of 60 characters.
        var base64 = Convert.ToBase64String(bytes);
        var lines = string.Join('\n', Enumerable.Range(0, (base64.Length + 59) / 60).Select(i => base64.Substring(i * 60, Math.Min(60, base64.Length - i * 60))));
        return (200, new JsonObject { ["type"] = "file", ["encoding"] = "base64", ["size"] = bytes.Length, ["name"] = path.Split('/')[^1], ["path"] = path, ["content"] = lines + "\n" });
    }

    private static JsonObject RefJson(string name, string sha) =>
        new() { ["ref"] = name, ["node_id"] = "REF_" + sha[..8], ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit" } };

    private static (int, JsonNode) Invalid(string message) => (422, new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest/git" });

    private byte[]? FileAt(string commit, string path) =>
        _gitCommits.TryGetValue(commit, out var tree) && _gitTrees[tree].FirstOrDefault(f => f.Path == path) is { Blob: { } blob } ? _gitBlobs[blob] : null;

    private string StoreBlob(byte[] bytes)
    {
        var sha = GitSha("blob", bytes);
        _gitBlobs[sha] = bytes;
        return sha;
    }

    private string StoreTree(List<(string Path, string Blob)> files)
    {
        var sha = GitSha("tree", Encoding.UTF8.GetBytes(string.Join('\n', files.Select(f => f.Path + " " + f.Blob))));
        _gitTrees[sha] = files;
        return sha;
    }

    private string StoreCommit(string tree)
    {
        // Every commit is new (a commit has a time): two locks of one content are two commits.
        var sha = GitSha("commit", Encoding.UTF8.GetBytes(tree + " " + Guid.NewGuid()));
        _gitCommits[sha] = tree;
        return sha;
    }

    private static string GitSha(string kind, byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"{kind} {bytes.Length}\0"), .. bytes]));
}
