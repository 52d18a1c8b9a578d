using System.Text.Json.Nodes;

namespace DeployRunner.TestKit;

/// <summary>Deployment events for tests, in the webhook shape GitHub sends.</summary>
public static class WebhookEvents
{
    public static readonly string ExamplesDirectory = RepositoryFiles.ExamplesDirectory;

    public static string Example(string name) => File.ReadAllText(Path.Combine(ExamplesDirectory, "events", name));

    public static string Deployment(
        long id = 9_100_200_300,
        string task = "deploy",
        string environment = "staging",
        string @ref = "main",
        string sha = "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
        JsonNode? payload = null,
        bool transient = false,
        bool production = false,
        string? description = null)
    {
        var deployment = ApiDeployment(id, environment, @ref, sha, task, transient, production, payload);
        deployment["description"] = description;
        var root = new JsonObject
        {
            ["action"] = "created",
            ["deployment"] = deployment,
            ["repository"] = new JsonObject { ["full_name"] = "octocat/hello-world" },
            ["sender"] = new JsonObject { ["login"] = "octocat" },
        };
        return root.ToJsonString();
    }

    /// <summary>A deployment as the REST API lists it (the fake serves these).</summary>
    public static JsonObject ApiDeployment(
        long id,
        string environment,
        string @ref = "main",
        string sha = "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
        string task = "deploy",
        bool transient = false,
        bool production = false,
        JsonNode? payload = null) => new()
        {
            ["id"] = id,
            ["sha"] = sha,
            ["ref"] = @ref,
            ["task"] = task,
            ["payload"] = payload ?? new JsonObject(),
            ["environment"] = environment,
            ["original_environment"] = environment,
            ["description"] = null,
            ["transient_environment"] = transient,
            ["production_environment"] = production,
            ["creator"] = new JsonObject { ["login"] = "deliverybot[bot]" },
        };

    /// <summary>A <c>pull_request</c> webhook payload.</summary>
    public static string PullRequest(long number, string headRef, string headSha, string action = "closed", bool merged = true, string headRepository = "octocat/hello-world") => new JsonObject
    {
        ["action"] = action,
        ["number"] = number,
        ["pull_request"] = new JsonObject
        {
            ["number"] = number,
            ["state"] = action == "closed" ? "closed" : "open",
            ["merged"] = merged,
            ["head"] = new JsonObject { ["ref"] = headRef, ["sha"] = headSha, ["repo"] = new JsonObject { ["full_name"] = headRepository } },
            ["base"] = new JsonObject { ["ref"] = "main", ["sha"] = "0000000000000000000000000000000000000000", ["repo"] = new JsonObject { ["full_name"] = "octocat/hello-world" } },
        },
        ["repository"] = new JsonObject { ["full_name"] = "octocat/hello-world" },
        ["sender"] = new JsonObject { ["login"] = "octocat" },
    }.ToJsonString();
}
