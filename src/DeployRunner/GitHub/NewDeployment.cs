using System.Text.Json.Nodes;

namespace DeployRunner.GitHub;

/// <summary>
/// The body of <c>POST /repos/{owner}/{repo}/deployments</c>, as GitHub documents it
/// (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment). <c>ref</c> is
/// always a commit SHA and <c>auto_merge</c> always false: a deployment of exactly the commit
/// the event names, never a merge GitHub makes on the way.
/// </summary>
internal sealed record NewDeployment(
    string Ref,
    string Task,
    bool AutoMerge,
    IReadOnlyList<string> RequiredContexts,
    JsonObject Payload,
    string Environment,
    string Description,
    bool TransientEnvironment,
    bool ProductionEnvironment);
