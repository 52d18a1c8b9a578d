using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Creating;

/// <summary>
/// Real webhook payloads of events other than <c>deployment</c> (push, pull_request,
/// workflow_dispatch, issue_comment), kept outside the repository in ../shared/fixtures/webhooks
/// and read in place. In CI (CI=true) their absence is a failure; elsewhere the tests that need
/// them are reported as skipped, saying why.
/// </summary>
public static class WebhookFixtures
{
    public static string? Directory { get; } = Find();

    public const string Push = "octokit-webhooks-push.json";
    public const string PushTag = "octokit-webhooks-push-tag.json";
    public const string PullRequestOpened = "octokit-webhooks-pull_request-opened.json";
    public const string PullRequestSynchronize = "octokit-webhooks-pull_request-synchronize.json";
    public const string PullRequestClosed = "octokit-webhooks-pull_request-closed.json";
    public const string IssueComment = "octokit-webhooks-issue_comment-created-issue.json";
    public const string WorkflowDispatch = "octokit-webhooks-workflow_dispatch.json";

    /// <summary>A fixture's text, read in place.</summary>
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(Directory ?? throw new InvalidOperationException("CI must provide ../shared/fixtures/webhooks next to the repository."), name));

    /// <summary>A fixture as JSON, to change one field (a fork's head repository) for a test.</summary>
    public static JsonObject Json(string name) => (JsonObject)JsonNode.Parse(Read(name))!;

    /// <summary>The GITHUB_EVENT_NAME of a fixture: the part after <c>octokit-webhooks-</c>, up to the action.</summary>
    public static string EventName(string name) => name["octokit-webhooks-".Length..].Split('-')[0].Replace(".json", "", StringComparison.Ordinal);

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "webhooks");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }

        return null;
    }
}

/// <summary>A fact over the shared webhook fixtures: skipped with the reason where they are absent, failed in CI.</summary>
public sealed class WebhookFixtureFactAttribute : FactAttribute
{
    public WebhookFixtureFactAttribute()
    {
        Timeout = 90_000;
        if (WebhookFixtures.Directory is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "shared/fixtures/webhooks is not beside the repository here (CI=true makes its absence a failure).";
    }
}

/// <summary>A theory over the shared webhook fixtures, skipped or failed like <see cref="WebhookFixtureFactAttribute"/>.</summary>
public sealed class WebhookFixtureTheoryAttribute : TheoryAttribute
{
    public WebhookFixtureTheoryAttribute()
    {
        Timeout = 90_000;
        if (WebhookFixtures.Directory is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "shared/fixtures/webhooks is not beside the repository here (CI=true makes its absence a failure).";
    }
}
