using System.Text.Json.Nodes;

namespace DeployRunner.Events;

/// <summary>
/// A <c>workflow_dispatch</c> webhook payload: the ref the workflow runs on. It names no commit:
/// that is GITHUB_SHA (the ref's head when the run started).
/// https://docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_dispatch
/// </summary>
internal sealed record WorkflowDispatchEvent(string Ref)
{
    public static WorkflowDispatchEvent Read(JsonObject root, string source)
    {
        var gitRef = DeploymentEventReader.Text(root["ref"]);
        if (string.IsNullOrWhiteSpace(gitRef) || gitRef.Any(char.IsControl))
            throw new ConfigurationException($"The workflow_dispatch event in {source} has no `ref`: cannot tell what to deploy.");
        return new WorkflowDispatchEvent(gitRef);
    }
}
