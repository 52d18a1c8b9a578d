using System.Text.Json;
using Octokit.Internal;

namespace DeployRunner.GitHub;

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
