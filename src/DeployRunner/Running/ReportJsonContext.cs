using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeployRunner.Handlers;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<TargetResultJson>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
