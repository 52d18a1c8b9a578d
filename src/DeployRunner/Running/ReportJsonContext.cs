using System.Text.Json.Serialization;

namespace DeployRunner.Running;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<TargetResultJson>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
