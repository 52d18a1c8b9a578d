using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeployRunner.GitHub;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeploymentStatusRequest))]
[JsonSerializable(typeof(NewDeployment))]
[JsonSerializable(typeof(DeploymentStatusRecord))]
[JsonSerializable(typeof(DeploymentStatusRecord[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonArray))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class GitHubApiJsonContext : JsonSerializerContext;
