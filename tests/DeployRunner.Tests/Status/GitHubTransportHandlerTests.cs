using System.Net;
using System.Text;
using DeployRunner.GitHub;
using Microsoft.Extensions.Time.Testing;

namespace DeployRunner.Tests.Status;

/// <summary>
/// Each handler of <see cref="GitHubTransport"/>'s chain on its own, over an inner handler that
/// records what reached it and answers as told. <see cref="GitHubApiEtiquetteTests"/> covers the
/// chain as Octokit meets it.
/// </summary>
public sealed class GitHubTransportHandlerTests
{
    private readonly List<(HttpMethod Method, Uri Uri, string? Authorization, string? Body)> _sent = [];

    /// <summary>An inner handler that records each request and answers it with <paramref name="answer"/>.</summary>
    private Recorder Inner(Func<HttpRequestMessage, int, Task<HttpResponseMessage>> answer) => new(this, answer);

    private static HttpRequestMessage Post(string uri, string body = "{\"state\":\"success\"}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer secret");
        return request;
    }

    private static HttpResponseMessage Redirect(int status, string location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    }

    [Fact]
    public async Task Redirects_keep_the_method_and_body_except_303_and_the_token_stays_on_its_origin()
    {
        var hops = new Queue<HttpResponseMessage>([Redirect(307, "/moved"), Redirect(303, "https://other.example/see"), new HttpResponseMessage(HttpStatusCode.OK)]);
        using var invoker = new HttpMessageInvoker(new RedirectHandler(5, Inner((_, _) => Task.FromResult(hops.Dequeue()))));

        using var response = await invoker.SendAsync(Post("https://api.github.test/repos/o/r/deployments/1/statuses"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [
                (HttpMethod.Post, new Uri("https://api.github.test/repos/o/r/deployments/1/statuses"), "Bearer secret", "{\"state\":\"success\"}"),
                (HttpMethod.Post, new Uri("https://api.github.test/moved"), "Bearer secret", "{\"state\":\"success\"}"),
                (HttpMethod.Get, new Uri("https://other.example/see"), null, null),
            ],
            _sent);
    }

    [Fact]
    public async Task A_redirect_past_the_limit_is_the_answer()
    {
        using var invoker = new HttpMessageInvoker(new RedirectHandler(2, Inner((_, n) => Task.FromResult(Redirect(302, $"/hop{n}")))));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/start"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(3, _sent.Count);
    }

    [Fact]
    public async Task Mutations_wait_for_the_spacing_after_the_previous_answer_and_reads_pass_straight_through()
    {
        var time = new FakeTimeProvider();
        using var invoker = new HttpMessageInvoker(new MutationPacingHandler(TimeSpan.FromSeconds(1), time, Inner((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created)))));

        (await invoker.SendAsync(Post("https://api.github.test/a"), CancellationToken.None)).Dispose();
        var second = invoker.SendAsync(Post("https://api.github.test/b"), CancellationToken.None);
        (await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/c"), CancellationToken.None)).Dispose();

        Assert.False(second.IsCompleted, "the second mutation waits out the second");
        Assert.Equal(["/a", "/c"], _sent.Select(s => s.Uri.AbsolutePath));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await second).Dispose();
        Assert.Equal(["/a", "/c", "/b"], _sent.Select(s => s.Uri.AbsolutePath));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_past_the_byte_limit_is_refused_whether_or_not_it_declares_its_length(bool declared)
    {
        using var invoker = new HttpMessageInvoker(new BoundedAttemptHandler(TimeSpan.FromSeconds(30), 1000, Inner((_, _) =>
        {
            HttpContent content = declared ? new ByteArrayContent(new byte[1001]) : new StreamContent(new UnseekableStream(new byte[1001]));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        })));

        var refused = await Assert.ThrowsAsync<GitHubAnswerTooLargeException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/"), CancellationToken.None));

        Assert.Contains(declared ? "1001" : "longer than", refused.Message);
    }

    [Fact]
    public async Task An_answer_within_the_limit_is_read_here_and_an_attempt_past_its_time_is_a_lost_answer()
    {
        using var read = new HttpMessageInvoker(new BoundedAttemptHandler(TimeSpan.FromSeconds(30), 1000, Inner((_, _) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes("{\"id\":1}"))) }))));
        using var slow = new HttpMessageInvoker(new BoundedAttemptHandler(TimeSpan.FromMilliseconds(50), 1000, Inner(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            return new HttpResponseMessage(HttpStatusCode.OK);
        })));

        using var answer = await read.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/"), CancellationToken.None);
        using var caller = new CancellationTokenSource();

        Assert.IsType<ByteArrayContent>(answer.Content);
        Assert.Equal("{\"id\":1}", await answer.Content.ReadAsStringAsync());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/"), caller.Token));
        Assert.False(caller.IsCancellationRequested);
    }

    [Fact]
    public async Task The_api_version_is_added_unless_the_caller_chose_one()
    {
        var versions = new List<string?>();
        using var invoker = new HttpMessageInvoker(new ApiVersionHandler(Inner((request, _) =>
        {
            versions.Add(request.Headers.TryGetValues("X-GitHub-Api-Version", out var values) ? string.Join(',', values) : null);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        })));
        var chosen = new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/");
        chosen.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", "2026-03-10");

        (await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.test/"), CancellationToken.None)).Dispose();
        (await invoker.SendAsync(chosen, CancellationToken.None)).Dispose();

        Assert.Equal([ApiVersionHandler.ApiVersion, "2026-03-10"], versions);
    }

    [Fact]
    public async Task A_lost_answer_is_tried_again_with_the_same_body_and_an_answer_too_large_is_not()
    {
        var time = new FakeTimeProvider();
        var notes = new List<string>();
        var policy = RetryPolicy.Default with { FirstBackoff = TimeSpan.Zero };
        using var lostOnce = new HttpMessageInvoker(new RetryHandler(policy, time, notes.Add, Inner((_, n) =>
            n == 1 ? throw new IOException("connection reset") : Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created)))));

        using var response = await lostOnce.SendAsync(Post("https://api.github.test/statuses"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, _sent.Count);
        Assert.All(_sent, s => Assert.Equal("{\"state\":\"success\"}", s.Body));
        Assert.Contains("GitHub API call failed (connection reset); retrying", Assert.Single(notes));

        _sent.Clear();
        using var tooLarge = new HttpMessageInvoker(new RetryHandler(policy, time, notes.Add, Inner((_, _) => throw new GitHubAnswerTooLargeException(10, 11))));
        await Assert.ThrowsAsync<GitHubAnswerTooLargeException>(() => tooLarge.SendAsync(Post("https://api.github.test/statuses"), CancellationToken.None));
        Assert.Single(_sent);
    }

    private sealed class Recorder(GitHubTransportHandlerTests test, Func<HttpRequestMessage, int, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        private int _count;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.Single() : null;
            test._sent.Add((request.Method, request.RequestUri!, authorization, body));
            return await answer(request, ++_count).WaitAsync(cancellationToken);
        }
    }

    /// <summary>A body that declares no length, as a chunked answer does.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
