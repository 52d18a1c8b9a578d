namespace DeployRunner.TestKit;

/// <summary>One hostile answer of the GitHub API, and how to make the fake give it to the requests a predicate matches.</summary>
public sealed record HostileAnswer(string Name, Action<FakeGitHubApi, Func<RecordedRequest, bool>> Apply)
{
    public override string ToString() => Name;
}

/// <summary>
/// The catalogue of lost and malformed answers every GitHub call goes through: whatever comes
/// back, the deployment ends in a terminal status (or is refused before <c>in_progress</c>), with
/// one clear error and no runner fault.
/// </summary>
public static class HostileAnswers
{
    public static IReadOnlyList<HostileAnswer> All { get; } =
    [
        new("lost-after-recording", (api, matches) => api.LoseAnswers(matches)),
        new("server-error-500", (api, matches) => api.ServerError(matches)),
        new("2xx-not-json", (api, matches) => api.Malformed(matches, 201, "application/json; charset=utf-8", "{not json")),
        new("2xx-empty-body", (api, matches) => api.Malformed(matches, 201, "application/json; charset=utf-8", "")),
        new("2xx-wrong-shape", (api, matches) => api.Malformed(matches, 201, "application/json; charset=utf-8", "[1, \"two\", {\"id\": \"three\"}]")),
        new("2xx-truncated", (api, matches) => api.Malformed(matches, 201, "application/json; charset=utf-8", "{\"id\": 1, \"state\": \"in_pro")),
        new("2xx-html", (api, matches) => api.Malformed(matches, 200, "text/html", "<html><body>Proxy login</body></html>")),
    ];

    public static HostileAnswer Named(string name) => All.Single(a => a.Name == name);
}
