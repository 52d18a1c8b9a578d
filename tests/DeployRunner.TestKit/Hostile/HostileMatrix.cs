namespace DeployRunner.TestKit;

/// <summary>An input that takes a path, as the matrix plants it: what it names, and a valid file for it (CANARY marks where the outside copy differs).</summary>
public sealed record HostilePathInput(string Name, PathShape Shape, string FileName, string Sample);

/// <summary>
/// The hostile-input matrix: which catalogued case (<see cref="HostilePaths"/>,
/// <see cref="HostileAnswers"/>) applies to which input or call, as xunit theory data. A new input
/// that takes a path is one entry in <see cref="PathInputs"/> and one theory with
/// <c>[MemberData(nameof(HostileMatrix.Paths), "its-name", MemberType = typeof(HostileMatrix))]</c>;
/// a new case is one entry in its catalogue. A case that fails on today's code because of a
/// known bug another change fixes is listed in <see cref="KnownGaps"/>: it runs in the skipped
/// theory of <see cref="Gaps"/>, named, until the fix lands and the line is removed.
/// </summary>
public static class HostileMatrix
{
    /// <summary>Every input that takes a path, with the file the matrix plants for it.</summary>
    public static IReadOnlyList<HostilePathInput> PathInputs { get; } =
    [
        new("working-directory", PathShape.Folder, "deploy.sh", "echo CANARY\n"),
        new("config", PathShape.File, "deploy.yml", "staging:\n  runner:\n    script: echo CANARY\n"),
        new("manifests", PathShape.Either, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: CANARY\ndata:\n  key: value\n"),
        new("kustomization", PathShape.Either, "app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: CANARY\ndata:\n  key: value\n"),
        new("upload", PathShape.Either, "index.html", "<p>CANARY</p>\n"),
    ];

    /// <summary>
    /// Cases that fail on today's code for a known bug not fixed yet (empty when every case holds), by input and case name,
    /// with the reason (the skipped theory shows it). Remove the line with the fix.
    /// </summary>
    public static IReadOnlyDictionary<(string Input, string Case), string> KnownGaps { get; } = new Dictionary<(string, string), string>
    {
    };

    /// <summary>The status calls every deployment makes, as fake-API predicates, for the answer cases.</summary>
    public static IReadOnlyDictionary<string, Func<RecordedRequest, bool>> StatusCalls { get; } = new Dictionary<string, Func<RecordedRequest, bool>>
    {
        ["in_progress"] = FakeGitHubApi.StatusPost("in_progress"),
        ["success"] = FakeGitHubApi.StatusPost("success"),
    };

    /// <summary>The calls of the environment-lock check every deployment makes before <c>in_progress</c>: the lock branch, then its <c>lock.json</c>.</summary>
    public static IReadOnlyDictionary<string, Func<RecordedRequest, bool>> LockCalls { get; } = new Dictionary<string, Func<RecordedRequest, bool>>
    {
        ["lock-branch"] = FakeGitHubApi.GitCall("GET", "/git/ref/"),
        ["lock-file"] = FakeGitHubApi.GitCall("GET", "/contents/"),
    };

    /// <summary>
    /// The calls a comment command makes, as fake-API predicates: the reaction, what decides
    /// whether it may run (permission, pull request, deploy.yml, the commit's checks), and the reply.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<RecordedRequest, bool>> CommentCalls { get; } = new Dictionary<string, Func<RecordedRequest, bool>>
    {
        ["reaction"] = request => request.Method == "POST" && request.Path.EndsWith("/reactions", StringComparison.Ordinal),
        ["permission"] = request => request.Method == "GET" && request.Path.EndsWith("/permission", StringComparison.Ordinal),
        ["pull-request"] = request => request.Method == "GET" && request.Path.Split('/') is [.., "pulls", var number] && number.All(char.IsAsciiDigit),
        ["contents"] = request => request.Method == "GET" && request.Path.Contains("/contents/", StringComparison.Ordinal),
        ["commit-status"] = request => request.Method == "GET" && request.Path.EndsWith("/status", StringComparison.Ordinal),
        ["check-runs"] = request => request.Method == "GET" && request.Path.EndsWith("/check-runs", StringComparison.Ordinal),
        ["reply"] = request => request.Method == "POST" && request.Path.Split('/') is [.., "issues", _, "comments"],
    };

    /// <summary>The answer cases for a status call, known gaps left out.</summary>
    public static TheoryData<string> Answers(string call)
    {
        var data = new TheoryData<string>();
        foreach (var answer in HostileAnswers.All.Where(a => !KnownGaps.ContainsKey((call, a.Name)))) data.Add(answer.Name);
        return data;
    }

    public static HostilePathInput PathInput(string name) => PathInputs.Single(i => i.Name == name);

    /// <summary>The path cases that apply to <paramref name="input"/>, known gaps left out.</summary>
    public static TheoryData<string> Paths(string input)
    {
        var data = new TheoryData<string>();
        foreach (var item in Applicable(input).Where(c => !KnownGaps.ContainsKey((input, c.Name)))) data.Add(item.Name);
        return data;
    }

    /// <summary>The path cases of <paramref name="input"/> that are known gaps, for a skipped theory; one placeholder when there are none.</summary>
    public static TheoryData<string> Gaps(string input)
    {
        var data = new TheoryData<string>();
        foreach (var ((_, hostile), reason) in KnownGaps.Where(g => g.Key.Input == input)) data.Add($"{hostile}: {reason}");
        if (data.Count == 0) data.Add("(none)");
        return data;
    }

    /// <summary>A workspace planted with <paramref name="hostile"/> for <paramref name="input"/>; returns the value to give the input.</summary>
    public static (HostileWorkspace Workspace, string Value) Plant(string input, string hostile, string workspace)
    {
        var definition = PathInput(input);
        var planted = new HostileWorkspace(workspace, definition.Sample, definition.FileName, definition.Shape);
        return (planted, HostilePaths.Named(hostile).Plant(planted));
    }

    private static IEnumerable<HostilePath> Applicable(string input)
    {
        var shape = PathInput(input).Shape;
        return HostilePaths.All.Where(c => (c.Shape & shape) != 0);
    }
}
