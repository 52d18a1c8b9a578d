using System.Net;
using System.Text;
using DeployRunner.GitHub;

namespace DeployRunner.Tests.Status;

/// <summary>Listing and reading deployments through Octokit, against an in-memory HTTP handler.</summary>
public sealed class GitHubListingTests
{
    private static readonly Uri Api = new("https://api.github.test/");

    /// <summary>Answers every request with one deployment and, when asked, a link to a next page.</summary>
    private sealed class EndlessPages(bool linkNext) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            var page = Requests.Count;
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""[{"id": {{page}}, "environment": "pr{{page}}", "sha": "abc", "ref": "main", "payload": "{\"target\":\"review\"}", "transient_environment": true}]""", Encoding.UTF8, "application/json"),
            };
            if (linkNext)
                response.Headers.Add("Link", $"<https://api.github.test/repos/o/r/deployments?per_page=100&page={page + 1}>; rel=\"next\"");
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task Paging_stops_at_a_fixed_bound_with_a_clear_error()
    {
        var handler = new EndlessPages(linkNext: true);
        var github = new OctokitGitHubDeployments(Api, "token", handler);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => github.ListDeploymentsAsync("o/r", new DeploymentFilter(Ref: "main"), limit: null, CancellationToken.None));

        Assert.Equal(OctokitGitHubDeployments.MaxPages, handler.Requests.Count);
        Assert.Contains("stopped paging", error.Message);
        Assert.Equal("?ref=main&per_page=100", handler.Requests[0].Query);
        Assert.Equal("?per_page=100&page=2", handler.Requests[1].Query);
    }

    [Fact]
    public async Task A_limited_list_is_one_request_of_that_size_and_reads_string_payloads()
    {
        var handler = new EndlessPages(linkNext: true);
        var github = new OctokitGitHubDeployments(Api, "token", handler);

        var newest = await github.ListDeploymentsAsync("o/r", new DeploymentFilter(Environment: "pr 1"), limit: 1, CancellationToken.None);

        var deployment = Assert.Single(newest);
        Assert.Single(handler.Requests);
        Assert.Equal("?environment=pr%201&per_page=1", handler.Requests[0].Query);
        Assert.Equal(("pr1", true, "review"), (deployment.Environment, deployment.TransientEnvironment, deployment.Payload.GetScalar("target")));
    }
}
