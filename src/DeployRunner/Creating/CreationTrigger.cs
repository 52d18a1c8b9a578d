using DeployRunner.Events;

namespace DeployRunner.Creating;

/// <summary>
/// What an event that is not a <c>deployment</c> says about the deployment to create: the event,
/// its ref (for <c>auto_deploy_on</c> and templates), the exact commit, and the pull request.
/// </summary>
/// <param name="Sha">Null only in a local run of a <c>workflow_dispatch</c> without GITHUB_SHA (nothing is created then).</param>
internal sealed record CreationTrigger(string EventName, string GitRef, string? Sha, PullRequestEvent? PullRequest = null)
{
    public string Describe => EventName switch
    {
        "push" => $"push of {GitRef}",
        "workflow_dispatch" => $"workflow_dispatch of {GitRef}",
        "issue_comment" when PullRequest is { } commented => $"/deploy on pull request #{commented.Number}",
        "issue_comment" => $"/deploy of {GitRef}",
        _ when PullRequest is { } pr => $"pull request #{pr.Number}",
        _ => EventName,
    };

    /// <summary>
    /// Deliverybot's template values: <c>ref</c> (the pushed ref; a pull request's head branch),
    /// <c>sha</c>, <c>short_sha</c>, <c>pr</c> (pull requests only), <c>target</c>, <c>owner</c>, <c>repo</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> TemplateValues(string target, string repository)
    {
        var parts = repository.Split('/', 2);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ref"] = PullRequest?.HeadRef ?? GitRef,
            ["sha"] = Sha ?? GitRef,
            ["short_sha"] = Sha is { } sha ? sha[..7] : GitRef,
            ["target"] = target,
            ["owner"] = parts[0],
            ["repo"] = parts.Length > 1 ? parts[1] : "",
        };
        if (PullRequest is { } pullRequest) values["pr"] = pullRequest.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return values;
    }
}
