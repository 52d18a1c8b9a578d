using System.Net;
using DeployRunner.GitHub;
using Microsoft.Extensions.Time.Testing;

namespace DeployRunner.Tests.Status;

public sealed class DeploymentStatusUpdateTests
{
    [Fact]
    public void Descriptions_are_cut_to_140_characters()
    {
        var update = new DeploymentStatusUpdate(DeploymentState.Failure, new string('x', 500), null);

        Assert.Equal(140, update.Description.Length);
        Assert.EndsWith("…", update.Description);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var text = new string('x', 138) + "😀😀😀";

        var cut = DeploymentStatusUpdate.Shorten(text);

        Assert.True(cut.Length <= 140);
        Assert.False(char.IsHighSurrogate(cut[^2]) && cut[^1] == '…');
    }

    [Fact]
    public void Line_breaks_become_spaces()
    {
        Assert.Equal("a b", DeploymentStatusUpdate.Shorten("a\nb"));
    }

    // The state travels as its member name: DeploymentState is internal, and a public test
    // method cannot take an internal type.
    [Theory]
    [InlineData(nameof(DeploymentState.InProgress), "in_progress", false)]
    [InlineData(nameof(DeploymentState.Success), "success", true)]
    [InlineData(nameof(DeploymentState.Failure), "failure", true)]
    [InlineData(nameof(DeploymentState.Error), "error", true)]
    [InlineData(nameof(DeploymentState.Inactive), "inactive", true)]
    public void States_have_their_API_names(string member, string name, bool terminal)
    {
        var state = Enum.Parse<DeploymentState>(member);
        Assert.Equal(name, state.ToApiName());
        Assert.Equal(state, DeploymentStates.FromApiName(name));
        Assert.Equal(terminal, state.IsTerminal());
    }
}

public sealed class BaseAddressTests
{
    [Theory]
    [InlineData("https://api.github.com", "https://api.github.com/")]
    [InlineData("https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/")]
    [InlineData("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/")]
    public void The_base_address_ends_with_a_slash_so_relative_paths_keep_api_v3(string given, string expected)
    {
        var normalized = OctokitGitHubDeployments.NormalizeBaseAddress(new Uri(given));

        Assert.Equal(expected, normalized.ToString());
        Assert.Equal(expected + "repos/o/r/deployments/1/statuses", new Uri(normalized, OctokitGitHubDeployments.RepositoryUri("o/r", "deployments/1/statuses")).ToString());
    }

    [Theory]
    [InlineData("noslash")]
    [InlineData("a/b/c")]
    [InlineData("/b")]
    public void A_malformed_repository_is_refused(string repository) =>
        Assert.Throws<ConfigurationException>(() => OctokitGitHubDeployments.RepositoryUri(repository, "x"));
}

public sealed class RetryDelayTests
{
    private static readonly RetryPolicy Policy = new(5, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private TimeSpan? Delay(HttpStatusCode status, int attempt = 1, params (string Name, string Value)[] headers)
    {
        using var handler = new RetryHandler(Policy, _time);
        using var response = new HttpResponseMessage(status);
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return handler.RetryDelay(response, attempt);
    }

    [Fact]
    public void Success_and_client_errors_are_final() =>
        Assert.All(new[] { HttpStatusCode.Created, HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity, HttpStatusCode.Unauthorized },
            status => Assert.Null(Delay(status)));

    [Fact]
    public void Server_errors_back_off_exponentially()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Delay(HttpStatusCode.BadGateway, 1));
        Assert.Equal(TimeSpan.FromSeconds(4), Delay(HttpStatusCode.ServiceUnavailable, 3));
    }

    [Fact]
    public void Retry_After_is_honoured_in_seconds_and_as_a_date()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Delay(HttpStatusCode.TooManyRequests, 1, ("Retry-After", "7")));
        Assert.Equal(TimeSpan.FromSeconds(30), Delay(HttpStatusCode.TooManyRequests, 1, ("Retry-After", "Fri, 27 Nov 2026 12:00:30 GMT")));
    }

    [Fact]
    public void A_403_is_retried_only_when_it_is_a_rate_limit()
    {
        Assert.Null(Delay(HttpStatusCode.Forbidden));
        Assert.Equal(TimeSpan.FromSeconds(3), Delay(HttpStatusCode.Forbidden, 1, ("Retry-After", "3")));
        var reset = _time.GetUtcNow().AddSeconds(20).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(21), Delay(HttpStatusCode.Forbidden, 1, ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset)));
    }
}
