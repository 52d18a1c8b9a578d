using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployRunner.Events;
using Octokit;

namespace DeployRunner.GitHub;

/// <summary>
/// Creating a deployment, with one clear outcome per answer GitHub documents
/// (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment).
/// </summary>
internal sealed partial class OctokitGitHubDeployments
{
    public async Task<CreatedDeployment> CreateDeploymentAsync(string repository, NewDeployment deployment, CancellationToken cancellationToken)
    {
        var what = $"create a deployment of {deployment.Ref} to '{deployment.Environment}'";
        IApiResponse<JsonElement> response;
        try
        {
            response = await CallAsync(what, () => _connection.Post<JsonElement>(
                RepositoryUri(repository, "deployments"), deployment, Accept, "application/json",
                (IDictionary<string, string>?)null, cancellationToken));
        }
        catch (GitHubApiException e) when (e.InnerException is ApiException api && !IsRateLimit(api) && Refusal(what, api, deployment) is { } refusal)
        {
            throw refusal;
        }

        var body = response.Body;
        if (response.HttpResponse.StatusCode == HttpStatusCode.Accepted)
        {
            // 202 means GitHub merged the default branch into the ref instead of deploying: only
            // with auto_merge true, which the runner never sends. No deployment exists.
            throw new GitHubApiException(
                $"Could not {what}: GitHub answered 202 ({Message(body) ?? "auto-merged"}) and created no deployment. That happens only with auto_merge, which the runner never asks for: a proxy or another API in front of GitHub changed the request. Check GITHUB_API_URL.",
                mayHaveTakenEffect: false);
        }

        // A 201 without a readable deployment may still have created one: nothing is run, and the
        // message says to look (the deployment has no status, so it shows as waiting, never as in progress).
        const string Look = " A deployment may have been created; nothing was run. Check the repository's deployments.";
        if (body.ValueKind != JsonValueKind.Object || JsonObject.Create(body) is not { } created)
            throw new GitHubApiException($"Could not {what}: GitHub answered with something that is not a deployment.{Look}");
        try
        {
            var read = DeploymentEventReader.ReadDeployment(created, "GitHub's answer");
            return new CreatedDeployment(read, created["url"] is JsonValue url && url.TryGetValue<string>(out var text) ? text : null);
        }
        catch (ConfigurationException e)
        {
            throw new GitHubApiException($"Could not {what}: {e.Message}{Look}");
        }
    }

    public async Task<string> ResolveCommitAsync(string repository, string gitRef, CancellationToken cancellationToken)
    {
        var path = string.Join('/', gitRef.Split('/').Select(Uri.EscapeDataString));
        var element = await CallAsync(
            $"resolve '{gitRef}' to a commit",
            () => _connection.Get<JsonElement>(RepositoryUri(repository, $"commits/{path}"), new Dictionary<string, string>(), Accept, cancellationToken));
        return element.Body.ValueKind == JsonValueKind.Object && element.Body.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String
               && sha.GetString() is { Length: 40 } text && text.All(char.IsAsciiHexDigit)
            ? text.ToLowerInvariant()
            : throw new GitHubApiException($"Could not resolve '{gitRef}' to a commit: GitHub answered with something that is not a commit.");
    }

    /// <summary>What a refusal of the create request means, in the user's terms; null for answers the generic mapping covers.</summary>
    private static GitHubApiException? Refusal(string what, ApiException e, NewDeployment deployment)
    {
        var message = ApiMessage(e) ?? "no message";
        var text = (int)e.StatusCode switch
        {
            409 when FailedContexts(e) is { } contexts =>
                $"Could not {what}: GitHub refused it because the required status checks of {deployment.Ref} have not passed ({contexts}). "
                + "Pending and skipped checks count as failed. List in the target's `required_contexts` only checks that finish before this job "
                + "(this job's own check is still pending while it runs), or run this job after them with `needs:`.",
            409 => $"Could not {what}: GitHub answered 409 ({message}): a merge conflict between the default branch and the ref. The runner never asks for auto_merge; check that nothing in front of the API changes the request.",
            403 => $"Could not {what}: forbidden (403, {message}). Give the job `permissions: deployments: write`. "
                + "On a pull request from a fork or by Dependabot the job's token is read-only and cannot create deployments.",
            404 => $"Could not {what}: not found (404, {message}). Check that the repository exists, that the token can see it, and GITHUB_API_URL.",
            422 => $"Could not {what}: GitHub refused the request as invalid (422, {message}{Errors(e)}). Check that the commit exists in this repository and the target's environment, task and payload.",
            _ => null,
        };
        return text is null ? null : new GitHubApiException(text, e, mayHaveTakenEffect: false);
    }

    /// <summary>The contexts of a 409 "Commit status checks failed" answer that did not succeed, as <c>name (state)</c>.</summary>
    private static string? FailedContexts(ApiException e)
    {
        if (ErrorBody(e)?["errors"] is not JsonArray errors) return null;
        var contexts = errors.OfType<JsonObject>()
            .Where(error => error["field"] is JsonValue field && field.GetValueKind() == JsonValueKind.String && field.GetValue<string>() == "required_contexts")
            .SelectMany(error => error["contexts"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(context => (Name: DeploymentEventReader.Text(context["context"]) ?? "(unnamed)", State: DeploymentEventReader.Text(context["state"]) ?? "unknown"))
            .Where(context => context.State != "success")
            .Take(20)
            .Select(context => $"{Clean(context.Name)} ({Clean(context.State)})")
            .ToList();
        return contexts.Count == 0 ? "no context named" : string.Join(", ", contexts);
    }

    /// <summary>Text from the answer, with control characters shown as <c>?</c>: one line, whatever GitHub (or a proxy) sent.</summary>
    private static string Clean(string text) => new(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static string Errors(ApiException e)
    {
        if (ErrorBody(e)?["errors"] is not JsonArray errors) return "";
        var parts = errors.Take(5).Select(error => error is JsonObject obj
                ? DeploymentEventReader.Text(obj["message"]) ?? string.Join(" ", new[] { obj["field"], obj["code"] }.Select(DeploymentEventReader.Text).OfType<string>())
                : DeploymentEventReader.Text(error))
            .OfType<string>().Where(p => p.Length > 0).ToList();
        return parts.Count == 0 ? "" : ": " + string.Join("; ", parts);
    }

    private static JsonObject? ErrorBody(ApiException e)
    {
        if (e.HttpResponse?.Body is not string body) return null;
        try
        {
            return JsonNode.Parse(body, documentOptions: Inputs.JsonLimits.DocumentOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Message(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null;
}
