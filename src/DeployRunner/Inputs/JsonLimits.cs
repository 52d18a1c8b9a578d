using System.Text.Json;

namespace DeployRunner.Inputs;

/// <summary>
/// Bounds for the JSON the runner reads (the event file, a payload given as a JSON string).
/// System.Text.Json stops at 64 levels by default, which real payloads pass (nested Helm values);
/// past <see cref="MaxDepth"/> a document is refused in microseconds, without recursion that could
/// exhaust the stack. Documented in the README (Limits).
/// </summary>
internal static class JsonLimits
{
    /// <summary>GitHub caps webhook payloads at 25 MB; an event file larger than that did not come from GitHub.</summary>
    public const int MaxEventBytes = 25 * 1024 * 1024;

    /// <summary>The deepest nesting read.</summary>
    public const int MaxDepth = 256;

    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, MaxDepth = MaxDepth };

    /// <summary>For writing what was read back out (the payload as <c>DEPLOY_PAYLOAD</c>) at the same depth.</summary>
    public static readonly JsonSerializerOptions WriteOptions = new() { MaxDepth = MaxDepth };

    /// <summary>True when a parse failed on the depth limit rather than on syntax.</summary>
    public static bool IsTooDeep(JsonException e) => e.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase);
}
