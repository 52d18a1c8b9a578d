namespace DeployRunner.Edge;

/// <summary>
/// The job's environment, read once in <c>Program</c>: where things are and who we are.
/// Nothing below <c>Program</c> reads environment variables itself.
/// </summary>
internal sealed record RunnerEnvironment(
    IReadOnlyDictionary<string, string> Variables,
    bool IsActions,
    bool DebugEnabled,
    string? EventPath,
    Uri ApiUrl,
    string ServerUrl,
    string? Repository,
    string? RunId,
    string Workspace,
    string? OutputPath,
    string? StatePath,
    string? SummaryPath,
    string? EventName = null,
    string? Sha = null,
    string? RunAttempt = null,
    string? Actor = null)
{
    public static RunnerEnvironment From(IReadOnlyDictionary<string, string> variables, string currentDirectory)
    {
        string? Get(string name) => variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var apiUrl = Get("GITHUB_API_URL") ?? "https://api.github.com";
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var api))
            throw new ConfigurationException($"GITHUB_API_URL '{apiUrl}' is not an absolute URL.");

        return new RunnerEnvironment(
            variables,
            IsActions: Get("GITHUB_ACTIONS") == "true",
            DebugEnabled: Get("RUNNER_DEBUG") == "1",
            EventPath: Get("GITHUB_EVENT_PATH"),
            ApiUrl: api,
            ServerUrl: (Get("GITHUB_SERVER_URL") ?? "https://github.com").TrimEnd('/'),
            Repository: Get("GITHUB_REPOSITORY"),
            RunId: Get("GITHUB_RUN_ID"),
            Workspace: Get("GITHUB_WORKSPACE") ?? currentDirectory,
            OutputPath: Get("GITHUB_OUTPUT"),
            StatePath: Get("GITHUB_STATE"),
            SummaryPath: Get("GITHUB_STEP_SUMMARY"),
            EventName: Get("GITHUB_EVENT_NAME"),
            Sha: Get("GITHUB_SHA"),
            RunAttempt: Get("GITHUB_RUN_ATTEMPT"),
            Actor: Get("GITHUB_ACTOR"));
    }

    /// <summary>The link every status carries: the workflow run that did the work.</summary>
    public string? LogUrl(string repository) =>
        RunId is null ? null : $"{ServerUrl}/{repository}/actions/runs/{RunId}";
}
