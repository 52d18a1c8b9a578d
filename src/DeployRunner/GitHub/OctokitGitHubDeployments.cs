using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Events;
using Octokit;
using Octokit.Internal;
using Deployment = DeployRunner.Events.Deployment;

namespace DeployRunner.GitHub;

/// <summary>
/// <see cref="IGitHubDeployments"/> over Octokit's <see cref="Connection"/>: Octokit supplies
/// authentication, headers and error mapping; our serializer supplies AOT-safe bodies; our
/// handler supplies retries.
/// </summary>
internal sealed partial class OctokitGitHubDeployments : IGitHubDeployments
{
    private const string Accept = "application/vnd.github+json";
    private readonly IConnection _connection;
    private readonly Uri _baseAddress;

    public OctokitGitHubDeployments(Uri apiBaseAddress, string token, HttpMessageHandler handler)
    {
        _baseAddress = NormalizeBaseAddress(apiBaseAddress);
        _connection = Connect(apiBaseAddress, token, handler);
    }

    /// <summary>An Octokit connection with our serializer over <paramref name="handler"/> (shared by the other ports, so retries and pacing are one).</summary>
    internal static IConnection Connect(Uri apiBaseAddress, string token, HttpMessageHandler handler) =>
        new Connection(
            new ProductHeaderValue("deliverybot-runner", typeof(OctokitGitHubDeployments).Assembly.GetName().Version?.ToString(3) ?? "1.0.0"),
            NormalizeBaseAddress(apiBaseAddress),
            new InMemoryCredentialStore(new Credentials(token)),
            new HttpClientAdapter(() => handler),
            new SourceGeneratedJsonSerializer());

    /// <summary>
    /// Octokit joins relative paths onto the base, so it must end with <c>/</c> or
    /// <c>https://HOST/api/v3</c> loses its <c>v3</c>. We take GITHUB_API_URL as it is rather
    /// than letting Octokit guess (it appends /api/v3/ to any host but github.com).
    /// </summary>
    public static Uri NormalizeBaseAddress(Uri apiBaseAddress)
    {
        var text = apiBaseAddress.ToString();
        return text.EndsWith('/') ? apiBaseAddress : new Uri(text + "/");
    }

    public async Task PostStatusAsync(string repository, long deploymentId, DeploymentStatusUpdate status, CancellationToken cancellationToken)
    {
        var body = new DeploymentStatusRequest(
            status.State.ToApiName(),
            status.Description,
            status.LogUrl,
            status.EnvironmentUrl,
            status.AutoInactive);
        var what = $"post the `{status.State.ToApiName()}` status";
        var answer = await CallAsync(
            what,
            () => _connection.Post<JsonElement>(
                RepositoryUri(repository, $"deployments/{deploymentId}/statuses"), body, Accept, "application/json",
                (IDictionary<string, string>?)null, cancellationToken));
        // A 2xx that is not a status (not JSON, another content type, empty, another shape) says
        // nothing for sure: the status was probably recorded, so it may have taken effect.
        if (answer.Body.ValueKind != JsonValueKind.Object || !answer.Body.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.String)
            throw Malformed(what, answer, "a deployment status");
    }

    /// <summary>A 2xx answer that is not what was asked for: an API failure like any other, with what arrived.</summary>
    private static GitHubApiException Malformed(string what, IApiResponse<JsonElement> answer, string expected)
    {
        var contentType = answer.HttpResponse.ContentType ?? "no content type";
        var arrived = answer.Body.ValueKind == JsonValueKind.Undefined
            ? $"no JSON it could read ({contentType}, {answer.HttpResponse.Body switch { string text => text.Length, byte[] bytes => bytes.Length, _ => 0 }} characters)"
            : $"JSON of kind {answer.Body.ValueKind}";
        return new GitHubApiException($"Could not {what}: GitHub answered {(int)answer.HttpResponse.StatusCode} with {arrived}, not {expected}.");
    }

    /// <summary>GitHub's largest page.</summary>
    public const int MaxPerPage = 100;

    /// <summary>A bound on paging (10,000 items): a runaway list must not eat the hourly rate limit.</summary>
    public const int MaxPages = 100;

    public async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(string repository, DeploymentFilter filter, int? limit, CancellationToken cancellationToken)
    {
        var what = $"list deployments ({filter})";
        var items = await ListAsync(what, RepositoryUri(repository, "deployments"), filter.ToQuery(), limit, cancellationToken);
        return items.Select(item => item is JsonObject deployment
                ? ReadApiDeployment(what, deployment, "the deployments list")
                : throw new GitHubApiException($"Could not {what}: GitHub answered with an item that is not an object."))
            .ToList();
    }

    /// <summary>
    /// A deployment as the API gives it: every one has an id, an environment, a SHA and a ref.
    /// One without them is a malformed answer (an API failure), not a configuration error.
    /// </summary>
    private static Deployment ReadApiDeployment(string what, JsonObject item, string source)
    {
        Deployment deployment;
        try
        {
            deployment = DeploymentEventReader.ReadDeployment(item, source);
        }
        catch (ConfigurationException e)
        {
            throw new GitHubApiException($"Could not {what}: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(deployment.Sha) || string.IsNullOrWhiteSpace(deployment.Ref))
            throw new GitHubApiException($"Could not {what}: deployment {deployment.Id} in {source} has no `sha` or no `ref`.");
        return deployment;
    }

    public async Task<Deployment> GetDeploymentAsync(string repository, long deploymentId, CancellationToken cancellationToken)
    {
        // Octokit wraps an object answer in [...] when T is enumerable, and JsonObject is: ask
        // for a JsonElement (a struct) and convert.
        var what = $"get deployment {deploymentId}";
        var element = await CallAsync(
            what,
            () => _connection.Get<JsonElement>(RepositoryUri(repository, $"deployments/{deploymentId}"), new Dictionary<string, string>(), Accept, cancellationToken));
        if (element.Body.ValueKind != JsonValueKind.Object || JsonObject.Create(element.Body) is not { } deployment)
            throw Malformed(what, element, "a deployment");
        var read = ReadApiDeployment(what, deployment, $"deployment {deploymentId} from the API");
        if (read.Id != deploymentId)
            throw new GitHubApiException($"Could not {what}: GitHub answered with deployment {read.Id}.");
        return read;
    }

    public async Task<IReadOnlyList<DeploymentStatusRecord>> ListStatusesAsync(string repository, long deploymentId, int? limit, CancellationToken cancellationToken)
    {
        var what = $"list the statuses of deployment {deploymentId}";
        var items = await ListAsync(what, RepositoryUri(repository, $"deployments/{deploymentId}/statuses"), new Dictionary<string, string>(), limit, cancellationToken);
        // Every status has a state: one without is a malformed answer, never "no status yet"
        // (which would make a teardown or the post step act on a guess).
        return items
            .Select(item => item is JsonObject status && status["state"] is JsonValue state && state.GetValueKind() == JsonValueKind.String
                ? new DeploymentStatusRecord(
                    status["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.Number && id.TryGetValue<long>(out var parsed) ? parsed : 0,
                    state.GetValue<string>(),
                    status["description"] is JsonValue description && description.GetValueKind() == JsonValueKind.String ? description.GetValue<string>() : null)
                : throw new GitHubApiException($"Could not {what}: GitHub answered with an item that is not a status (no `state`)."))
            .ToList();
    }

    public async Task<IReadOnlyList<string>> ListPullRequestCommitsAsync(string repository, long number, CancellationToken cancellationToken)
    {
        var items = await ListAsync(
            $"list the commits of pull request #{number}",
            RepositoryUri(repository, $"pulls/{number.ToString(CultureInfo.InvariantCulture)}/commits"),
            new Dictionary<string, string>(),
            IGitHubDeployments.PullRequestCommitLimit,
            cancellationToken);
        return items.Select(item => item is JsonObject commit && commit["sha"] is JsonValue sha && sha.GetValueKind() == JsonValueKind.String
                ? sha.GetValue<string>()
                : throw new GitHubApiException($"Could not list the commits of pull request #{number}: GitHub answered with an item that is not a commit (no `sha`)."))
            .ToList();
    }

    /// <summary>
    /// Reads a list page by page, following the <c>Link: rel="next"</c> header GitHub sends,
    /// with <c>per_page</c> as large as the limit allows. Every page is one bounded, retried call.
    /// </summary>
    private async Task<List<JsonNode?>> ListAsync(string what, Uri first, IDictionary<string, string> query, int? limit, CancellationToken cancellationToken)
    {
        var perPage = Math.Clamp(limit ?? MaxPerPage, 1, MaxPerPage);
        query["per_page"] = perPage.ToString(CultureInfo.InvariantCulture);
        var items = new List<JsonNode?>();
        Uri? next = first;
        for (var page = 1; next is not null; page++)
        {
            if (page > MaxPages)
                throw new GitHubApiException($"Could not {what}: more than {MaxPages * MaxPerPage} items; stopped paging.");

            var uri = next;
            // The next link carries the whole query already.
            var parameters = page == 1 ? query : new Dictionary<string, string>();
            var response = await CallAsync(what, () => _connection.Get<JsonElement>(uri, parameters, Accept, cancellationToken));
            if (response.Body.ValueKind != JsonValueKind.Array)
                throw Malformed(what, response, "a list");
            items.AddRange(JsonArray.Create(response.Body)!);
            if (limit is { } max && items.Count >= max) return items.Take(max).ToList();
            next = response.HttpResponse.ApiInfo?.Links is { } links && links.TryGetValue("next", out var link) ? link : null;
            // The token goes with every request: follow only links to the API we were given.
            if (next is not null && (!next.IsAbsoluteUri || next.Scheme != _baseAddress.Scheme || next.Authority != _baseAddress.Authority))
                throw new GitHubApiException($"Could not {what}: the next page is on another server ({next.GetLeftPart(UriPartial.Authority)}); not following it.");
        }

        return items;
    }

    internal static Uri RepositoryUri(string repository, string path)
    {
        var parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace))
            throw new ConfigurationException($"The repository '{repository}' is not of the form owner/name.");
        return new Uri($"repos/{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}/{path}", UriKind.Relative);
    }

    /// <summary>Turns Octokit's exceptions into one message a user can act on.</summary>
    internal static async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiException e) when (IsRateLimit(e))
        {
            // Checked before the 403 cases: a rate limit is not a missing permission.
            throw new GitHubApiException($"Could not {what}: GitHub's rate limit ({(int)e.StatusCode}, {ApiMessage(e) ?? "no message"}) did not lift within the runner's retry budget. Nothing is wrong with the token or its permissions; run the job again later.", e, mayHaveTakenEffect: false);
        }
        catch (AuthorizationException e)
        {
            throw new GitHubApiException($"Could not {what}: GitHub refused the token ({(int)e.StatusCode}). Pass `token: ${{{{ github.token }}}}` (the default) or a token with deployment access.", e, mayHaveTakenEffect: false);
        }
        catch (ForbiddenException e)
        {
            throw new GitHubApiException($"Could not {what}: forbidden (403, {ApiMessage(e) ?? "no message"}). Give the workflow `permissions: deployments: write`.", e, mayHaveTakenEffect: false);
        }
        catch (NotFoundException e)
        {
            throw new GitHubApiException($"Could not {what}: not found (404). Check that the deployment exists in this repository and that the token can see it.", e, mayHaveTakenEffect: false);
        }
        catch (ApiException e)
        {
            // A 4xx answer means GitHub looked at the request and refused it; a 5xx may come
            // after the work was done (a proxy's timeout).
            throw new GitHubApiException($"Could not {what}: GitHub answered {(int)e.StatusCode} ({ApiMessage(e) ?? e.Message}).", e, mayHaveTakenEffect: (int)e.StatusCode is < 400 or >= 500);
        }
        catch (HttpRequestException e)
        {
            throw new GitHubApiException($"Could not {what}: {e.Message}", e);
        }
        catch (GitHubAnswerTooLargeException e)
        {
            // Whatever the request did, its answer cannot be read: treated as a lost answer.
            throw new GitHubApiException($"Could not {what}: {e.Message}.", e);
        }
        catch (JsonException e)
        {
            // A 2xx whose body is not JSON (or nests past the reader's depth): Octokit's
            // deserializer throws before we see the answer.
            throw new GitHubApiException($"Could not {what}: GitHub's answer is not readable JSON ({e.Message})", e);
        }
    }

    /// <summary>
    /// A primary or secondary rate limit: 429, or a 403 that says so (by <c>x-ratelimit-remaining: 0</c>
    /// or its message). Octokit's own classification reads the message with a reflection-based
    /// serializer that finds nothing under Native AOT, so the answer is read here.
    /// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
    /// </summary>
    internal static bool IsRateLimit(ApiException e)
    {
        if ((int)e.StatusCode == 429 || e is RateLimitExceededException or SecondaryRateLimitExceededException or AbuseException) return true;
        if ((int)e.StatusCode != 403) return false;
        if (e.HttpResponse?.Headers?.FirstOrDefault(h => h.Key.Equals("x-ratelimit-remaining", StringComparison.OrdinalIgnoreCase)).Value == "0") return true;
        return ApiMessage(e)?.Contains("rate limit", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>
    /// The <c>message</c> of GitHub's error body. Octokit parses it into <see cref="ApiException.ApiError"/>
    /// with its reflection-based serializer, which finds nothing in a Native AOT build (it then
    /// hands back the raw body), so we read the body ourselves with a JsonNode, which needs no reflection.
    /// </summary>
    internal static string? ApiMessage(ApiException e)
    {
        if (e.HttpResponse?.Body is string body)
        {
            try
            {
                if (JsonNode.Parse(body) is JsonObject error && error["message"] is JsonValue value && value.TryGetValue<string>(out var message))
                    return message;
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page): fall through.
            }
        }

        return e.ApiError?.Message;
    }
}
