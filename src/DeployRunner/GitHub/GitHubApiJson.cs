using System.Text.Json;
using System.Text.Json.Serialization;
using Octokit.Internal;

namespace DeployRunner.GitHub;

/// <summary>The body of POST /repos/{owner}/{repo}/deployments/{id}/statuses.</summary>
internal sealed record DeploymentStatusRequest(
    string State,
    string Description,
    string? LogUrl,
    string? EnvironmentUrl,
    bool? AutoInactive);

/// <summary>The fields of a posted deployment status the runner reads back.</summary>
internal sealed record DeploymentStatusResponse(long Id, string State);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeploymentStatusRequest))]
[JsonSerializable(typeof(DeploymentStatusResponse))]
[JsonSerializable(typeof(DeploymentStatusResponse[]))]
[JsonSerializable(typeof(DeploymentStatusRecord))]
[JsonSerializable(typeof(DeploymentStatusRecord[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonArray))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class GitHubApiJsonContext : JsonSerializerContext;

/// <summary>
/// Octokit's own serializer is reflection-based and posts an empty body <c>{}</c> once trimmed
/// (Native AOT). Octokit accepts an <see cref="IJsonSerializer"/>, so we hand it one backed by
/// System.Text.Json source generation for exactly the types we send and read.
/// </summary>
internal sealed class SourceGeneratedJsonSerializer : IJsonSerializer
{
    public string Serialize(object item) =>
        JsonSerializer.Serialize(item, GitHubApiJsonContext.Default.GetTypeInfo(item.GetType())
            ?? throw new NotSupportedException($"No JSON contract for {item.GetType().Name}: add it to {nameof(GitHubApiJsonContext)}."));

    public T Deserialize<T>(string json)
    {
        var info = GitHubApiJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new NotSupportedException($"No JSON contract for {typeof(T).Name}: add it to {nameof(GitHubApiJsonContext)}.");
        return (T)JsonSerializer.Deserialize(json, info)!;
    }
}
