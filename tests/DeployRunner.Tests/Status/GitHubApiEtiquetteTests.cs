using System.Net;
using System.Text;
using DeployRunner.GitHub;
using Microsoft.Extensions.Time.Testing;

namespace DeployRunner.Tests.Status;

/// <summary>
/// Redirects, rate limits, the version header and pacing, as GitHub documents them, against a
/// scripted transport on a fake clock: minutes of waiting take no time.
/// </summary>
public sealed class GitHubApiEtiquetteTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<(HttpRequestMessage Request, string? Body, TimeSpan At)> _sent = [];

    /// <summary>When the transport handed each answer back (after <see cref="_answerTakes"/>).</summary>
    private readonly List<TimeSpan> _answered = [];
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new();
    private TimeSpan _answerTakes = TimeSpan.Zero;

    private static readonly RetryPolicy LongBudget = RetryPolicy.Default with { MaxAttempts = 10, MaxTotalWait = TimeSpan.FromMinutes(30) };

    private HttpClient Client(RetryPolicy? policy = null) =>
        new(GitHubTransport.Create(policy ?? LongBudget, _time, new ScriptedTransport(this)));

    private void Answer(HttpStatusCode status, string body = "{}", params (string Name, string Value)[] headers) =>
        _answers.Enqueue(_ =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
            return response;
        });

    /// <summary>Runs the call, moving the fake clock on while it waits.</summary>
    private async Task<T> DriveAsync<T>(Task<T> call)
    {
        for (var i = 0; !call.IsCompleted && i < 100_000; i++)
        {
            await Task.Delay(1);
            if (!call.IsCompleted) _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        return await call;
    }

    private static HttpRequestMessage Post(string url = "https://api.github.com/repos/o/r/deployments/1/statuses")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{\"state\":\"success\"}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "token secret");
        return request;
    }

    private List<TimeSpan> Gaps() => _sent.Zip(_sent.Skip(1), (a, b) => b.At - a.At).ToList();

    /// <summary>
    /// Whole seconds between requests, rounded down: the fake clock can run up to a few of
    /// DriveAsync's 250 ms steps ahead of a continuation the thread pool is slow to run, never
    /// behind, so rounding to the nearest second could turn 60.5 into 61 on a loaded machine.
    /// </summary>
    private IEnumerable<double> SecondsBetweenRequests() => Gaps().Select(gap => Math.Floor(gap.TotalSeconds));

    [Fact]
    public async Task A_secondary_rate_limit_without_retry_after_waits_a_minute_then_doubles()
    {
        Answer(HttpStatusCode.Forbidden, "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\"}");
        Answer(HttpStatusCode.Forbidden, "{\"message\":\"You have exceeded a secondary rate limit.\"}");
        Answer(HttpStatusCode.Created);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(Post()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal([60.0, 120.0], SecondsBetweenRequests());
    }

    [Fact]
    public async Task A_429_without_retry_after_waits_at_least_a_minute()
    {
        Answer(HttpStatusCode.TooManyRequests);
        Answer(HttpStatusCode.Created);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(Post()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal([60.0], SecondsBetweenRequests());
    }

    [Fact]
    public async Task With_no_requests_remaining_the_wait_lasts_until_the_reset()
    {
        var reset = Start.AddSeconds(300).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Answer(HttpStatusCode.Forbidden, "{\"message\":\"API rate limit exceeded\"}", ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset));
        Answer(HttpStatusCode.OK);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.com/repos/o/r/deployments")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([301.0], SecondsBetweenRequests());
    }

    [Fact]
    public async Task A_rate_limit_that_outlasts_the_budget_is_given_up_at_once_and_named_as_a_rate_limit()
    {
        var reset = Start.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Answer(HttpStatusCode.Forbidden, "{\"message\":\"API rate limit exceeded for installation ID 1.\"}", ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset));
        var github = new OctokitGitHubDeployments(new Uri("https://api.github.com"), "secret", GitHubTransport.Create(RetryPolicy.Default, _time, new ScriptedTransport(this)));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => github.PostStatusAsync("o/r", 1, new DeploymentStatusUpdate(DeploymentState.Success, "ok", null), CancellationToken.None));

        Assert.Single(_sent);
        Assert.Contains("rate limit", error.Message);
        Assert.DoesNotContain("deployments: write", error.Message);
        Assert.False(error.MayHaveTakenEffect);
    }

    [Fact]
    public async Task A_long_retry_after_wait_ends_as_soon_as_the_caller_cancels()
    {
        Answer(HttpStatusCode.TooManyRequests, "{}", ("Retry-After", "20"));
        using var client = Client();
        using var cancel = new CancellationTokenSource();

        var call = client.SendAsync(Post(), cancel.Token);
        while (_sent.Count == 0) await Task.Delay(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_sent);
    }

    [Fact]
    public async Task Every_request_names_the_API_version_it_was_written_for()
    {
        Answer(HttpStatusCode.OK);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.com/repos/o/r/deployments")));

        Assert.Equal(["2022-11-28"], _sent.Single().Request.Headers.GetValues("X-GitHub-Api-Version"));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_on_the_same_host_is_followed_with_the_token_and_the_body(int status)
    {
        Answer((HttpStatusCode)status, "{}", ("Location", "https://api.github.com/repositories/123/deployments/1/statuses"));
        Answer(HttpStatusCode.Created);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(Post()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var followed = _sent[1];
        Assert.Equal("https://api.github.com/repositories/123/deployments/1/statuses", followed.Request.RequestUri!.ToString());
        Assert.Equal(HttpMethod.Post, followed.Request.Method);
        Assert.Equal("{\"state\":\"success\"}", followed.Body);
        Assert.Equal("token secret", followed.Request.Headers.Authorization?.ToString());
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_followed_without_the_token()
    {
        Answer(HttpStatusCode.TemporaryRedirect, "{}", ("Location", "https://elsewhere.example.com/statuses"));
        Answer(HttpStatusCode.Created);
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(Post()));

        Assert.Equal("elsewhere.example.com", _sent[1].Request.RequestUri!.Host);
        Assert.Null(_sent[1].Request.Headers.Authorization);
        Assert.Equal("token secret", _sent[0].Request.Headers.Authorization?.ToString());
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_five_hops()
    {
        for (var i = 0; i < 10; i++) Answer(HttpStatusCode.Found, "{}", ("Location", "https://api.github.com/loop"));
        using var client = Client();

        using var response = await DriveAsync(client.SendAsync(Post()));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(6, _sent.Count);
    }

    [Fact]
    public async Task Mutative_requests_go_out_at_least_a_second_apart_and_reads_are_not_held()
    {
        for (var i = 0; i < 4; i++) Answer(HttpStatusCode.Created);
        using var client = Client();

        (await DriveAsync(client.SendAsync(Post()))).Dispose();
        (await DriveAsync(client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.github.com/x")))).Dispose();
        (await DriveAsync(client.SendAsync(Post()))).Dispose();
        (await DriveAsync(client.SendAsync(Post()))).Dispose();

        // The fake clock can only run ahead of a continuation the thread pool has not run yet
        // (DriveAsync advances it while the call is unfinished), never behind: each bound is on
        // the side that such a delay cannot cross. A held read would be a full second late.
        var gaps = Gaps();
        Assert.True(gaps[0] < TimeSpan.FromSeconds(1), $"the read was held: {gaps[0]}");
        Assert.True(gaps[1] >= TimeSpan.FromSeconds(1), $"second POST after the read only {gaps[1]} after the first");
        Assert.True(gaps[2] >= TimeSpan.FromSeconds(1), $"third POST only {gaps[2]} after the second");
    }

    [Fact]
    public async Task The_second_between_mutative_requests_counts_from_the_previous_answer()
    {
        for (var i = 0; i < 2; i++) Answer(HttpStatusCode.Created);
        _answerTakes = TimeSpan.FromSeconds(2);
        using var client = Client();

        (await DriveAsync(client.SendAsync(Post()))).Dispose();
        (await DriveAsync(client.SendAsync(Post()))).Dispose();

        // Two seconds for the first answer, then the full second of pause from that answer: a
        // slow request never shortens the pause the API sees. Counted from the request, the pause
        // would be over when the answer came, and the second POST would follow it at once. (Each
        // bound is on the side a late thread-pool continuation cannot cross: see above.)
        Assert.True(_answered[0] >= TimeSpan.FromSeconds(2), $"the first answer came at {_answered[0]}");
        Assert.True(_sent[1].At - _answered[0] >= TimeSpan.FromSeconds(1), $"the second POST went {_sent[1].At - _answered[0]} after the first answer");
    }

    private sealed class ScriptedTransport(GitHubApiEtiquetteTests test) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            test._sent.Add((request, body, test._time.GetUtcNow() - Start));
            if (test._answerTakes > TimeSpan.Zero) await Task.Delay(test._answerTakes, test._time, cancellationToken);
            test._answered.Add(test._time.GetUtcNow() - Start);
            var answer = test._answers.Count > 0 ? test._answers.Dequeue() : _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);
            var response = answer(request);
            response.RequestMessage = request;
            return response;
        }
    }
}
