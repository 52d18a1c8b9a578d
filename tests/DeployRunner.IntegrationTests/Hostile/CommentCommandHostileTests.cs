using DeployRunner.IntegrationTests.ChatOps;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.Hostile;

/// <summary>
/// Comment commands through the hostile-input matrix: every lost or malformed answer
/// (<see cref="HostileAnswers"/>) to each call a command makes (<see cref="HostileMatrix.CommentCalls"/>),
/// and hostile comment bodies. Whatever comes back, no runner fault and no stack trace; a call
/// that decides whether the command may run and never got a proper answer means nothing is created;
/// whatever was created ends in a terminal status.
/// </summary>
public sealed class CommentCommandHostileTests : CommentCommandTest
{
    /// <summary>The calls whose answer decides whether anything may be deployed.</summary>
    private static readonly string[] Deciding = ["permission", "pull-request", "contents", "commit-status", "check-runs"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var call in HostileMatrix.CommentCalls.Keys)
        {
            foreach (var answer in HostileMatrix.Answers(call)) data.Add(call, answer);
        }

        return data;
    }

    [WebhookFixtureTheory]
    [MemberData(nameof(Cases))]
    public async Task Answer_to_a_comment_command_call(string call, string answer)
    {
        using var sandbox = Sandbox("/deploy checked");
        Api.AddCommitStatus(HeadSha, "build", "success");
        Api.AddCheckRun(HeadSha, "lint", "completed", "success");
        Api.AddCheckRun(HeadSha, "e2e", "completed", "success");
        var matches = HostileMatrix.CommentCalls[call];
        HostileAnswers.Named(answer).Apply(Api, matches);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        var because = $"answer {answer} to `{call}`. Log:\n{result.Log}";
        Assert.False(result.Log.Contains("Runner fault", StringComparison.Ordinal), "A runner fault: " + because);
        Assert.False(result.Log.Contains("   at ", StringComparison.Ordinal), "A stack trace: " + because);
        Assert.True(result.Lines.Count(l => l.StartsWith("::error", StringComparison.Ordinal)) <= 1, "More than one error: " + because);
        if (Deciding.Contains(call) && Api.Requests.Count(matches) < 2)
            Assert.True(Api.CreationRequests.Count == 0, "Created without a proper answer: " + because);
        if (Api.CreationRequests.Count > 0)
            Assert.True(Api.States.Count > 0 && Api.States[^1] != "in_progress", "No terminal status: " + because);
        Assert.True(Api.Requests.Count(HostileMatrix.CommentCalls["reply"]) >= 1, "No reply: " + because);
        if (result.ExitCode == 0)
            Assert.True(Api.CreationRequests.Count == 1 && Api.States[^1] == "success", "Exit 0 without the deployment: " + because);
    }

    [WebhookFixtureTheory]
    [InlineData("/deploy sta\u0001ging")]
    [InlineData("/deploy ../../etc/passwd")]
    [InlineData("/deploy ..\\..\\x to staging")]
    [InlineData("/deploy -x to staging")]
    [InlineData("/deploy --upload-pack=touch${IFS}pwned to staging")]
    [InlineData("/deploy refs/heads/../x to staging")]
    [InlineData("/deploy \u202Egnigats")]
    [InlineData("/deploy staging to staging to staging")]
    [InlineData("/lock staging \u0000\u0007 2h")]
    [InlineData("/unlock")]
    [InlineData("/locks everything")]
    public async Task A_hostile_command_is_answered_without_a_fault_and_deploys_nothing(string body)
    {
        using var sandbox = Sandbox(body);

        var result = await sandbox.RunAsync();

        Assert.True(result.ExitCode is 0 or 2, result.Log);
        Assert.DoesNotContain("   at ", result.Log);
        Assert.DoesNotContain("Runner fault", result.Log);
        Assert.True(Api.Comments.Count <= 1, result.Log);
        NothingDeployed(sandbox);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "pwned")));
    }

    [WebhookFixtureTheory]
    [InlineData(10_000)]
    [InlineData(300_000)]
    public async Task A_huge_comment_gets_a_bounded_reply(int size)
    {
        using var sandbox = Sandbox("/deploy " + new string('x', size) + "\n" + new string('y', size));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.True(Reply.Body.Length < 2_000, $"A reply of {Reply.Body.Length} characters.");
        NothingDeployed(sandbox);
    }
}
