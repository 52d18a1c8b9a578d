using DeployRunner.Events;

namespace DeployRunner.Tests.Events;

public sealed class DeploymentEventReaderTests
{
    private static string Event(string deploymentFields, string extra = "") =>
        $$"""{ {{extra}} "deployment": { "id": 1, "sha": "abc", "ref": "main", "environment": "staging" {{deploymentFields}} }, "repository": { "full_name": "o/r" } }""";

    [Fact]
    public void An_object_payload_is_kept_with_its_scalars()
    {
        var deployment = DeploymentEventReader.Parse(Event(""", "payload": { "target": "web", "count": 3, "on": true, "nested": { "a": 1 } }""")).Deployment;

        Assert.Equal("web", deployment.Payload.GetScalar("target"));
        Assert.Equal("3", deployment.Payload.GetScalar("count"));
        Assert.Equal("true", deployment.Payload.GetScalar("on"));
        Assert.Null(deployment.Payload.GetScalar("nested"));
        Assert.Equal(["target", "count", "on"], deployment.Payload.Scalars().Select(s => s.Key));
        Assert.Equal("""{"target":"web","count":3,"on":true,"nested":{"a":1}}""", deployment.Payload.ToScriptValue());
    }

    [Fact]
    public void A_payload_given_as_JSON_text_is_parsed()
    {
        var deployment = DeploymentEventReader.Parse(Event(""", "payload": "{\"target\":\"review\"}" """)).Deployment;

        Assert.Equal("review", deployment.Payload.GetScalar("target"));
    }

    [Theory]
    [InlineData("\"plain text\"", "plain text")]
    [InlineData("\"{broken json\"", "{broken json")]
    public void A_payload_string_that_is_not_a_JSON_object_is_kept_as_text(string payload, string expected)
    {
        var deployment = DeploymentEventReader.Parse(Event($", \"payload\": {payload}")).Deployment;

        Assert.Equal(expected, deployment.Payload.Text);
        Assert.Null(deployment.Payload.Object);
        Assert.Equal(expected, deployment.Payload.ToScriptValue());
    }

    [Theory]
    [InlineData(", \"payload\": {}")]
    [InlineData(", \"payload\": \"\"")]
    [InlineData(", \"payload\": null")]
    [InlineData("")]
    public void Empty_payloads_all_mean_none(string payload)
    {
        var deployment = DeploymentEventReader.Parse(Event(payload)).Deployment;

        Assert.True(deployment.Payload.IsEmpty);
        Assert.Equal("", deployment.Payload.ToScriptValue());
    }

    [Fact]
    public void Missing_or_null_optional_fields_take_safe_defaults()
    {
        var parsed = DeploymentEventReader.Parse(Event(""", "transient_environment": null, "description": null, "original_environment": null"""));

        Assert.Null(parsed.Action);
        Assert.False(parsed.Deployment.TransientEnvironment);
        Assert.False(parsed.Deployment.ProductionEnvironment);
        Assert.Null(parsed.Deployment.Description);
        Assert.Null(parsed.Deployment.OriginalEnvironment);
        Assert.Equal("deploy", parsed.Deployment.Task);
        Assert.Equal("o/r", parsed.Repository);
    }

    [Fact]
    public void Ids_beyond_32_bits_are_read_whole()
    {
        var deployment = DeploymentEventReader.Parse(Event("").Replace("\"id\": 1", "\"id\": 9007199254740993", StringComparison.Ordinal)).Deployment;

        Assert.Equal(9007199254740993L, deployment.Id);
    }

    [Theory]
    [InlineData("remove", true)]
    [InlineData("REMOVE", true)]
    [InlineData("deploy", false)]
    [InlineData("deploy:migrations", false)]
    public void Only_the_remove_task_is_a_removal(string task, bool removal)
    {
        var deployment = DeploymentEventReader.Parse(Event($", \"task\": \"{task}\"")).Deployment;

        Assert.Equal(task, deployment.Task);
        Assert.Equal(removal, deployment.IsRemoval);
    }

    [Theory]
    [InlineData("nope", "not valid JSON")]
    [InlineData("\"a string\"", "not a JSON object")]
    [InlineData("{\"pull_request\": {}}", "looks like `pull_request`")]
    [InlineData("{\"deployment\": {\"id\": \"x\", \"environment\": \"e\"}}", "no numeric `id`")]
    [InlineData("{\"deployment\": {\"id\": 5, \"environment\": \"  \"}}", "no `environment`")]
    public void Events_that_cannot_be_deployed_are_refused_with_a_reason(string json, string reason)
    {
        var error = Assert.Throws<ConfigurationException>(() => DeploymentEventReader.Parse(json));

        Assert.Contains(reason, error.Message);
    }

    public static TheoryData<string> SharedFixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in EventFiles()) data.Add(file);
        return data;
    }

    private static List<string> EventFiles()
    {
        var data = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "events");
            if (!Directory.Exists(candidate)) continue;
            foreach (var file in Directory.GetFiles(candidate, "*.json").Order()) data.Add(file);
            break;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "events");
            if (!Directory.Exists(candidate)) continue;
            foreach (var file in Directory.GetFiles(candidate, "*.json").Order()) data.Add(file);
            break;
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SharedFixtureFiles))]
    public void Every_real_and_example_event_parses(string file)
    {
        var parsed = DeploymentEventReader.Parse(File.ReadAllText(file), file);

        Assert.True(parsed.Deployment.Id > 0);
        Assert.False(string.IsNullOrEmpty(parsed.Deployment.Environment));
        Assert.Contains('/', parsed.Repository);
    }

    [Fact]
    public void The_octokit_webhooks_fixture_reads_as_documented()
    {
        var file = EventFiles().FirstOrDefault(f => f.EndsWith("octokit-webhooks-deployment.json", StringComparison.Ordinal));
        if (file is null) return; // Only outside CI; the integration suite fails CI when shared fixtures are missing.

        var parsed = DeploymentEventReader.Parse(File.ReadAllText(file));

        Assert.Equal("created", parsed.Action);
        Assert.Equal(145988746, parsed.Deployment.Id);
        Assert.Equal("production", parsed.Deployment.Environment);
        Assert.Equal("master", parsed.Deployment.Ref);
        Assert.Equal("Codertocat/Hello-World", parsed.Repository);
        Assert.True(parsed.Deployment.Payload.IsEmpty);
    }
}
