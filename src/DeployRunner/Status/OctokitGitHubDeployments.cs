using System.Text.Json;
using System.Text.Json.Nodes;
using Octokit;
using Octokit.Internal;

namespace DeployRunner.Status;

/// <summary>
/// <see cref="IGitHubDeployments"/> over Octokit's <see cref="Connection"/>: Octokit supplies
/// authentication, headers and error mapping; our serializer supplies AOT-safe bodies; our
/// handler supplies retries.
/// </summary>
public sealed class OctokitGitHubDeployments : IGitHubDeployments
{
    private const string Accept = "application/vnd.github+json";
    private readonly IConnection _connection;

    public OctokitGitHubDeployments(Uri apiBaseAddress, string token, HttpMessageHandler handler)
    {
        var product = new ProductHeaderValue("deliverybot-runner", typeof(OctokitGitHubDeployments).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");
        _connection = new Connection(
            product,
            NormalizeBaseAddress(apiBaseAddress),
            new InMemoryCredentialStore(new Credentials(token)),
            new HttpClientAdapter(() => handler),
            new SourceGeneratedJsonSerializer());
    }

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
        await CallAsync(
            $"post the `{status.State.ToApiName()}` status",
            () => _connection.Post<DeploymentStatusResponse>(
                RepositoryUri(repository, $"deployments/{deploymentId}/statuses"), body, Accept, "application/json",
                (IDictionary<string, string>?)null, cancellationToken));
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
        catch (AuthorizationException e)
        {
            throw new GitHubApiException($"Could not {what}: GitHub refused the token ({(int)e.StatusCode}). Pass `token: ${{{{ github.token }}}}` (the default) or a token with deployment access.", e);
        }
        catch (ForbiddenException e)
        {
            throw new GitHubApiException($"Could not {what}: forbidden (403, {ApiMessage(e) ?? "no message"}). Give the workflow `permissions: deployments: write`.", e);
        }
        catch (NotFoundException e)
        {
            throw new GitHubApiException($"Could not {what}: not found (404). Check that the deployment exists in this repository and that the token can see it.", e);
        }
        catch (ApiException e)
        {
            throw new GitHubApiException($"Could not {what}: GitHub answered {(int)e.StatusCode} ({ApiMessage(e) ?? e.Message}).", e);
        }
        catch (HttpRequestException e)
        {
            throw new GitHubApiException($"Could not {what}: {e.Message}", e);
        }
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

/// <summary>A GitHub API call failed for good (after retries).</summary>
public sealed class GitHubApiException(string message, Exception? inner = null) : DeployRunnerException(message, inner);
