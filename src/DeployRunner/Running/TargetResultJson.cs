using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeployRunner.GitHub;
using DeployRunner.Handlers;
using DeployRunner.Planning;
using DeployRunner.Workflow;

namespace DeployRunner.Running;

/// <summary>The <c>results</c> output: one entry per target.</summary>
internal sealed record TargetResultJson(string Target, string Result, int? ExitCode, double DurationSeconds, string? Reason);
