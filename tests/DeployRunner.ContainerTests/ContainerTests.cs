using System.Diagnostics;
using System.Text.Json.Nodes;
using DeployRunner.ContainerTests.Infrastructure;
using Xunit.Abstractions;

namespace DeployRunner.ContainerTests;

/// <summary>
/// The image, built from the unchanged Dockerfile and run exactly as the Actions runner runs a
/// Docker action, against a fake GitHub API on loopback.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class ContainerTests(ImageFixture image, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact(Timeout = 180_000)]
    public async Task I_can_deploy_with_a_script_using_curl_git_jq_and_rsync_and_the_runner_reads_outputs_and_summary()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent(payload: new JsonObject { ["release"] = "v1.4.2" }));
        Directory.CreateDirectory(Path.Combine(layout.Workspace, "site"));
        File.WriteAllText(Path.Combine(layout.Workspace, "site", "index.html"), "<h1>hello</h1>");
        const string script = """
            api_status=$(curl -s -o /dev/null -w '%{http_code}' "$GITHUB_API_URL/nothing-here" || echo none)
            git init -q /tmp/repo
            git -C /tmp/repo -c user.email=ci@example.com -c user.name=ci commit -q --allow-empty -m "release $DEPLOY_PAYLOAD_RELEASE"
            subject=$(git -C /tmp/repo log -1 --format=%s)
            rsync -a site/ /tmp/published/
            jq -n --arg api "$api_status" --arg subject "$subject" --arg copied "$(cat /tmp/published/index.html)" --arg pwd "$PWD" \
              '{api: $api, subject: $subject, copied: $copied, pwd: $pwd}' > result.json
            """;
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string>
        {
            ["script"] = script,
            ["environment-url"] = "https://hello.example.com",
        }, inContainer: true);

        var result = await new ActionContainer(image.Image, layout, variables).RunAsync(RunTimeout);

        Assert.True(result.ExitCode == 0, ActionContainer.Describe(result));
        Assert.Equal(["in_progress", "success"], api.Statuses.Select(s => s.State));
        Assert.Equal("https://hello.example.com", (string?)api.Statuses[1].Body["environment_url"]);
        var tools = JsonNode.Parse(File.ReadAllText(Path.Combine(layout.Workspace, "result.json")))!;
        Assert.Equal("404", (string?)tools["api"]);            // curl reached the fake API over --network host
        Assert.Equal("release v1.4.2", (string?)tools["subject"]); // git, with a deployment value from the environment
        Assert.Equal("<h1>hello</h1>", (string?)tools["copied"]);  // rsync
        Assert.Equal("/github/workspace", (string?)tools["pwd"]);   // the runner's --workdir, not the image's

        var outputs = layout.Outputs();
        Assert.Equal("success", outputs["status"]);
        Assert.Equal("4242424242", outputs["deployment-id"]);
        Assert.Equal("https://hello.example.com", outputs["environment-url"]);
        Assert.Contains("\"result\":\"ok\"", outputs["results"].Replace(" ", ""));
        var summary = File.ReadAllText(layout.SummaryFile);
        Assert.Contains("success", summary);
        Assert.Contains("production", summary);
        // The token appears once, in the ::add-mask:: line that tells the runner to hide it.
        var printed = (result.StandardOutput + result.StandardError).Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(printed, l => l.Contains(RunnerLayout.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(printed, l => l.Contains("runtime-secret-never-printed", StringComparison.Ordinal));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_failing_script_ends_in_failure_and_a_non_zero_exit()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "echo about to fail; exit 3" }, inContainer: true);

        var result = await new ActionContainer(image.Image, layout, variables).RunAsync(RunTimeout);

        Assert.True(result.ExitCode != 0, ActionContainer.Describe(result));
        Assert.Equal(["in_progress", "failure"], api.Statuses.Select(s => s.State));
        Assert.Equal("Failed: The script exited with code 3.", (string?)api.Statuses[1].Body["description"]);
        Assert.Equal("failure", layout.Outputs()["status"]);
        Assert.Contains("about to fail", result.StandardOutput);
    }

    [Fact(Timeout = 180_000)]
    public async Task Cancelling_with_SIGINT_posts_a_terminal_status_within_the_runners_grace_period_and_the_container_is_gone()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "echo started; touch script-started; sleep 300" }, inContainer: true);
        var container = new ActionContainer(image.Image, layout, variables);
        using var cts = new CancellationTokenSource(RunTimeout);
        try
        {
            var run = container.StartAsync(cts.Token);
            await api.WaitForStatusAsync(s => s.State == "in_progress", TimeSpan.FromSeconds(60));
            // The script is running once its marker is in the mounted workspace.
            await WaitForFileAsync(Path.Combine(layout.Workspace, "script-started"), TimeSpan.FromSeconds(60));

            // What the Actions runner does on cancel: the docker CLI forwards SIGINT to PID 1.
            var watch = Stopwatch.StartNew();
            await Docker.CheckedAsync(["kill", "--signal", "SIGINT", container.Name]);
            var terminal = await api.WaitForStatusAsync(s => s.State != "in_progress", TimeSpan.FromSeconds(7.5));
            var toTerminal = watch.Elapsed;
            var result = await run;

            output.WriteLine($"SIGINT to terminal status: {toTerminal.TotalMilliseconds:0} ms");
            Assert.Equal("error", terminal.State);
            Assert.Equal("Error: The deployment was cancelled.", (string?)terminal.Body["description"]);
            Assert.True(toTerminal < TimeSpan.FromSeconds(7.5), $"terminal status after {toTerminal.TotalSeconds:0.0} s");
            Assert.True(result.ExitCode != 0, ActionContainer.Describe(result));
            await Docker.WaitUntilGoneAsync(container.Name, TimeSpan.FromSeconds(10));
            Assert.Equal("error", layout.Outputs()["status"]);
        }
        finally
        {
            await container.RemoveAsync();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task When_the_main_step_is_killed_the_post_step_reports_error()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "sleep 300" }, inContainer: true);
        var main = new ActionContainer(image.Image, layout, variables);
        using var cts = new CancellationTokenSource(RunTimeout);
        try
        {
            var run = main.StartAsync(cts.Token);
            await api.WaitForStatusAsync(s => s.State == "in_progress", TimeSpan.FromSeconds(60));
            await Docker.CheckedAsync(["kill", "--signal", "SIGKILL", main.Name]);
            var killed = await run;
            Assert.Equal(137, killed.ExitCode);
            Assert.Equal(["in_progress"], api.Statuses.Select(s => s.State));

            // The runner starts post-entrypoint in a new container with the same inputs and the
            // main step's GITHUB_STATE as STATE_* variables.
            var postVariables = layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "sleep 300" }, inContainer: true)
                .Concat(layout.StateVariables()).ToDictionary();
            Assert.Equal("4242424242", postVariables["STATE_deployment-id"]);
            Assert.Equal("in_progress", postVariables["STATE_posted"]);
            var post = await new ActionContainer(image.Image, layout, postVariables, PostEntrypoint()).RunAsync(RunTimeout);

            Assert.True(post.ExitCode == 0, ActionContainer.Describe(post));
            Assert.Equal(["in_progress", "error"], api.Statuses.Select(s => s.State));
            var error = api.Statuses[1];
            Assert.Equal(4242424242, error.DeploymentId);
            Assert.True(JsonNode.DeepEquals(
                new JsonObject { ["state"] = "error", ["description"] = "The runner stopped before it could report a result.", ["log_url"] = RunnerLayout.LogUrl },
                error.Body), error.Body.ToJsonString());
        }
        finally
        {
            await main.RemoveAsync();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task After_a_finished_deployment_the_post_step_posts_nothing()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "true" }, inContainer: true);
        var main = await new ActionContainer(image.Image, layout, variables).RunAsync(RunTimeout);
        Assert.True(main.ExitCode == 0, ActionContainer.Describe(main));

        var postVariables = variables.Concat(layout.StateVariables()).ToDictionary();
        Assert.Equal("success", postVariables["STATE_posted"]);
        var post = await new ActionContainer(image.Image, layout, postVariables, PostEntrypoint()).RunAsync(RunTimeout);

        Assert.True(post.ExitCode == 0, ActionContainer.Describe(post));
        Assert.Equal(["in_progress", "success"], api.Statuses.Select(s => s.State));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_image_holds_the_tools_deploy_scripts_need_and_a_pinned_kubectl()
    {
        var kubectl = await Docker.CheckedAsync(["run", "--rm", "--network", "host", "--entrypoint", "kubectl", image.Image, "version", "--client"]);
        Assert.Contains("Client Version: v1.32.5", kubectl);

        var tools = await Docker.CheckedAsync(["run", "--rm", "--network", "host", "--entrypoint", "bash", image.Image, "-c",
            "for t in bash curl git jq ssh ssh-keygen rsync kubectl deploy-runner deploy-runner-post; do command -v $t || echo \"missing $t\"; done; test -s /etc/ssl/certs/ca-certificates.crt && echo ca-ok"]);
        Assert.DoesNotContain("missing", tools);
        Assert.Contains("ca-ok", tools);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_image_runs_as_root_with_an_absolute_exec_form_entrypoint()
    {
        var config = await Docker.CheckedAsync(["image", "inspect", "--format", "{{json .Config.Entrypoint}}|{{.Config.User}}", image.Image]);
        Assert.Equal("[\"/usr/local/bin/deploy-runner\"]|", config.Trim());
    }

    [Fact(Timeout = 180_000)]
    public async Task The_image_runs_a_local_deployment_with_the_workspace_mounted_as_the_readme_shows()
    {
        // The README's command without the SDK: the clone mounted as the workspace, --workdir
        // there, the event file and the script from the examples, no token: statuses printed.
        var workspace = Directory.CreateTempSubdirectory("local-image-run-").FullName;
        try
        {
            foreach (var file in new[] { "events/deploy.json", "scripts/deploy.sh" })
            {
                var target = Path.Combine(workspace, "examples", file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(RepositoryFiles.Root, "examples", file), target);
            }

            File.SetUnixFileMode(Path.Combine(workspace, "examples", "scripts", "deploy.sh"), (UnixFileMode)0b111_101_101);

            var result = await Docker.RunAsync(
            [
                "run", "--rm", "--network", "host", "-v", $"{workspace}:/github/workspace", "-w", "/github/workspace",
                "-e", "GITHUB_EVENT_PATH=/github/workspace/examples/events/deploy.json",
                "-e", "INPUT_SCRIPT=./examples/scripts/deploy.sh",
                image.Image,
            ]);

            Assert.True(result.ExitCode == 0, ActionContainer.Describe(result));
            var lines = result.StandardOutput.Split('\n');
            Assert.Contains("[local] deployment 4242424242 status: in_progress: Deploying main to production", lines);
            Assert.Contains("Release from the payload: v1.4.2", lines);
            Assert.Contains(lines, l => l.StartsWith("[local] deployment 4242424242 status: success: Deployed main to production", StringComparison.Ordinal));
            Assert.DoesNotContain("stop-commands", result.StandardOutput);
        }
        finally
        {
            // The container runs as root: files it wrote belong to root, which the test user may be too.
            Directory.Delete(workspace, recursive: true);
        }
    }

    /// <summary>Waits for a file a script creates: the event, not a guess at how long it takes.</summary>
    private static async Task WaitForFileAsync(string path, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (watch.Elapsed > timeout) throw new TimeoutException($"{path} did not appear within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    /// <summary>action.yml's post-entrypoint, read from the file so the test follows it.</summary>
    private static string PostEntrypoint()
    {
        var line = File.ReadLines(Path.Combine(RepositoryFiles.Root, "action.yml"))
            .Single(l => l.TrimStart().StartsWith("post-entrypoint:", StringComparison.Ordinal));
        return line[(line.IndexOf(':') + 1)..].Trim();
    }
}
