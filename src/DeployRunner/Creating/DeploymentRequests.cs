using System.Text.Json.Nodes;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.GitHub;

namespace DeployRunner.Creating;

/// <summary>
/// The body of the deployment the runner creates for one target, as Deliverybot filled it in:
/// the rendered environment, description and payload (plus <c>target</c>, <c>pr</c> and the
/// runner's mark), the target's flags and task, and <c>ref</c> = the exact commit SHA.
/// </summary>
internal static class DeploymentRequests
{
    /// <summary>GitHub's limit for a deployment's description.</summary>
    public const int MaxDescription = 140;

    /// <summary>
    /// The <c>required_contexts</c> when the target names none: <c>[]</c>, "deploy without waiting
    /// for checks". Omitting it would make GitHub wait for every required check of the commit,
    /// and the job creating the deployment is itself one of them, still pending: a 409 every
    /// time. The workflow orders the jobs instead (<c>needs: test</c>); a target that lists
    /// contexts gets exactly those checked.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultRequiredContexts = [];

    public static NewDeployment Build(DeployTarget target, CreationTrigger trigger, string repository, JsonObject mark)
    {
        var values = trigger.TemplateValues(target.Name, repository);
        var creation = target.Creation;
        var environment = DeliverybotTemplate.Render(target.Environment, values, $"The environment of target `{target.Name}`");
        if (environment.Length is 0 or > 255 || environment.Any(char.IsControl))
            throw new ConfigurationException($"The environment of target `{target.Name}` renders to '{Printable(environment)}': it must be 1 to 255 characters without control characters.", setting: "environment");

        var description = creation.Description is { } written
            ? DeliverybotTemplate.Render(written, values, $"The description of target `{target.Name}`")
            : $"{target.Name}: {trigger.Describe}";
        var payload = creation.Payload is { } own
            ? (JsonObject)DeliverybotTemplate.Render(own, values, $"The payload of target `{target.Name}`")!
            : new JsonObject();
        payload["target"] = target.Name;
        if (trigger.PullRequest is { } pullRequest) payload["pr"] = pullRequest.Number;
        payload[RunnerMark.PayloadKey] = mark.DeepClone();

        return new NewDeployment(
            Ref: trigger.Sha ?? trigger.GitRef,
            Task: creation.Task ?? "deploy",
            AutoMerge: false,
            RequiredContexts: creation.RequiredContexts ?? DefaultRequiredContexts,
            Payload: payload,
            Environment: environment,
            Description: Shorten(description),
            TransientEnvironment: creation.TransientEnvironment,
            ProductionEnvironment: creation.ProductionEnvironment);
    }

    /// <summary>The deployment as the runner will see it once GitHub has created it: what the checks before creating it plan with.</summary>
    public static Deployment Provisional(NewDeployment request, long id = 0) => new(
        Id: id,
        Sha: request.Ref,
        Ref: request.Ref,
        Task: request.Task,
        Environment: request.Environment,
        OriginalEnvironment: request.Environment,
        Description: request.Description,
        TransientEnvironment: request.TransientEnvironment,
        ProductionEnvironment: request.ProductionEnvironment,
        Payload: DeploymentPayload.FromObject((JsonObject)request.Payload.DeepClone()));

    /// <summary>At most 140 characters, whole characters only (a surrogate pair is never split).</summary>
    public static string Shorten(string text)
    {
        var oneLine = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (oneLine.Length <= MaxDescription) return oneLine;
        var cut = MaxDescription - 1;
        if (char.IsHighSurrogate(oneLine[cut - 1])) cut--;
        return oneLine[..cut] + "…";
    }

    private static string Printable(string text) => new(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
