using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// A <c>push</c> webhook payload: the pushed ref (<c>refs/heads/main</c>, <c>refs/tags/v1</c>) and
/// the commit it now points at (<c>after</c>). A deletion has no commit to deploy.
/// https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
/// </summary>
internal sealed record PushEvent(string Ref, string Sha, bool Deleted)
{
    public static PushEvent Read(JsonObject root, string source)
    {
        var gitRef = DeploymentEventReader.Text(root["ref"]);
        var after = DeploymentEventReader.Text(root["after"]);
        var deleted = root["deleted"] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.True;
        if (string.IsNullOrWhiteSpace(gitRef) || !gitRef.StartsWith("refs/", StringComparison.Ordinal) || gitRef.Any(char.IsControl))
            throw new ConfigurationException($"The push event in {source} has no `ref` such as refs/heads/main: cannot tell what was pushed.");
        if (after is null || !CommitSha.IsSha(after))
            throw new ConfigurationException($"The push event in {source} has no 40-character commit SHA in `after`: cannot tell which commit to deploy.");
        return new PushEvent(gitRef, after.ToLowerInvariant(), deleted || after.All(c => c == '0'));
    }
}
