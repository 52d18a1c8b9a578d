using System.Net;
using System.Text;
using DeployRunner.GitHub;

namespace DeployRunner.Tests.Status;

/// <summary>
/// Every answer the GitHub port reads is bounded at the HTTP layer: an endless body is read up to
/// the bound and no further, a declared length past it is not read at all, and neither is retried.
/// </summary>
public sealed class BoundedAnswerTests
{
    /// <summary>A body that never ends, counting what was read of it.</summary>
    private sealed class EndlessBody : Stream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            BytesRead += count;
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Transport(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(answer());
        }
    }

    [Fact]
    public async Task An_endless_answer_is_read_up_to_the_bound_then_refused_with_a_clear_error_and_not_asked_again()
    {
        var body = new EndlessBody();
        var transport = new Transport(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) { Headers = { { "Content-Type", "application/json" } } } });
        var github = new OctokitGitHubDeployments(new Uri("https://api.github.test/"), "token", GitHubTransport.Create(RetryPolicy.Default, TimeProvider.System, transport));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => github.ListDeploymentsAsync("o/r", new DeploymentFilter(Environment: "staging"), limit: 1, CancellationToken.None));

        Assert.Equal("Could not list deployments (environment=staging): its answer is longer than the 8 MiB the runner reads of one answer; stopped reading.", error.Message);
        Assert.InRange(body.BytesRead, RetryPolicy.DefaultMaxAnswerBytes, RetryPolicy.DefaultMaxAnswerBytes + (128 * 1024));
        Assert.Equal(1, transport.Requests);
    }

    [Fact]
    public async Task A_declared_length_past_the_bound_is_not_read_at_all()
    {
        var body = new EndlessBody();
        var transport = new Transport(() =>
        {
            var content = new StreamContent(body);
            content.Headers.ContentLength = 440L * 1024 * 1024;
            return new HttpResponseMessage(HttpStatusCode.Created) { Content = content };
        });
        var github = new OctokitGitHubDeployments(new Uri("https://api.github.test/"), "token", GitHubTransport.Create(RetryPolicy.Default, TimeProvider.System, transport));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => github.PostStatusAsync("o/r", 1, new DeploymentStatusUpdate(DeploymentState.InProgress, "Deploying", null), CancellationToken.None));

        Assert.Contains("declares 461373440 bytes, more than the 8 MiB", error.Message, StringComparison.Ordinal);
        Assert.True(error.MayHaveTakenEffect);
        Assert.Equal(0, body.BytesRead);
    }

    [Theory]
    [InlineData("{not json", "not readable JSON")]
    [InlineData("", "no JSON it could read")]
    [InlineData("[1]", "JSON of kind Array, not a deployment status")]
    [InlineData("{\"id\": 1}", "JSON of kind Object, not a deployment status")]
    public async Task A_2xx_to_a_status_post_that_is_not_a_status_is_an_api_failure_that_may_have_taken_effect(string answer, string expected)
    {
        var transport = new Transport(() => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(answer, Encoding.UTF8, "application/json") });
        var github = new OctokitGitHubDeployments(new Uri("https://api.github.test/"), "token", GitHubTransport.Create(RetryPolicy.Default, TimeProvider.System, transport));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => github.PostStatusAsync("o/r", 1, new DeploymentStatusUpdate(DeploymentState.InProgress, "Deploying", null), CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.True(error.MayHaveTakenEffect);
    }
}
