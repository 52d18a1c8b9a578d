using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>
/// <c>GET /repos/{owner}/{repo}/pulls/{number}/commits</c>: the commits a test gives a pull
/// request, oldest first and paged like every list, as GitHub answers. A pull request the test
/// did not describe is a 404, as for a number that does not exist.
/// </summary>
public sealed partial class FakeGitHubApi
{
    private readonly Dictionary<long, List<string>> _pullRequestCommits = [];

    /// <summary>The commits of a pull request, oldest first.</summary>
    public void AddPullRequestCommits(long number, params string[] shas)
    {
        lock (_gate)
        {
            if (!_pullRequestCommits.TryGetValue(number, out var commits)) _pullRequestCommits[number] = commits = [];
            commits.AddRange(shas);
        }
    }

    private async Task HandlePullsAsync(HttpContext context, string[] segments)
    {
        List<JsonNode>? commits = null;
        if (context.Request.Method == "GET" && segments.Length == 6 && segments[5] == "commits"
            && long.TryParse(segments[4], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            lock (_gate)
            {
                commits = _pullRequestCommits.TryGetValue(number, out var shas)
                    ? [.. shas.Select(sha => (JsonNode)new JsonObject { ["sha"] = sha, ["commit"] = new JsonObject { ["message"] = "a commit" } })]
                    : null;
            }
        }

        if (commits is null) await JsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
        else await ListAsync(context, commits);
    }
}
