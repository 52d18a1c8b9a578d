namespace DeployRunner.TestKit;

/// <summary>
/// Runs the built runner against one matrix case and asserts what every case must hold: no
/// runner fault, no stack trace, at most one <c>::error::</c> line, nothing outside the workspace
/// read (its canary never in the log) or changed, no injected workflow command, and the
/// expectation of the case (a refusal is exit 2 before any status).
/// </summary>
public static class HostileRuns
{
    public static async Task<RunnerResult> PathCaseAsync(FakeGitHubApi api, string input, string hostile, Action<RunnerSandbox, string> configure)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), api).Input("skip-superseded", "false");
        var (planted, value) = HostileMatrix.Plant(input, hostile, sandbox.Workspace);
        var outsideBefore = Snapshot(planted.Outside);
        configure(sandbox, value);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        var because = $"case {hostile} for `{input}` = '{value}'. Log:\n{result.Log}";
        Assert.False(result.Log.Contains("Runner fault", StringComparison.Ordinal), "A runner fault: " + because);
        Assert.False(result.Log.Contains("   at ", StringComparison.Ordinal), "A stack trace: " + because);
        Assert.False(result.Log.Contains(HostileWorkspace.Canary, StringComparison.Ordinal), "The outside file was read: " + because);
        Assert.True(outsideBefore.SequenceEqual(Snapshot(planted.Outside)), "Something outside the workspace changed: " + because);
        Assert.False(result.Lines.Any(l => l.StartsWith("::error::injected", StringComparison.Ordinal)), "A file name became a workflow command: " + because);
        var errors = result.Lines.Count(l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.True(errors <= 1, $"{errors} error lines: " + because);
        if (HostilePaths.Named(hostile).Expectation == PathExpectation.Refused)
        {
            Assert.True(result.ExitCode == 2 && errors == 1, "Not refused as a configuration error: " + because);
            Assert.DoesNotContain("in_progress", api.States);
        }
        else if (api.States.Count > 0)
        {
            Assert.NotEqual("in_progress", api.States[^1]);
        }

        return result;
    }

    /// <summary>A shell deploy whose status call <paramref name="call"/> gets the hostile answer: it must end in a terminal status, without a fault.</summary>
    public static async Task<RunnerResult> AnswerCaseAsync(FakeGitHubApi api, string call, string answer)
    {
        HostileAnswers.Named(answer).Apply(api, HostileMatrix.StatusCalls[call]);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), api).Input("skip-superseded", "false").Input("script", "echo deployed");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        var because = $"answer {answer} to `{call}`. Log:\n{result.Log}";
        AssertNoFault(result, because);
        Assert.True(api.States.Count > 0 && api.States[^1] != "in_progress", "No terminal status: " + because);
        return result;
    }

    /// <summary>
    /// A deployment to an environment someone else locked, whose lock-check call
    /// <paramref name="call"/> gets the hostile answer: whatever comes back (a retried loss finds
    /// the lock, a malformed answer cannot be believed), it is refused before <c>in_progress</c>
    /// with one <c>error</c> status and one error line, and the script never runs. (A GitHub that
    /// never answers gets no status at all, like the skip-superseded check: a single fault here is retried.)
    /// </summary>
    public static async Task<RunnerResult> LockAnswerCaseAsync(FakeGitHubApi api, string call, string answer)
    {
        api.PlantLock("deploy-lock/staging", $$"""{"environment":"staging","owner":"alice","reason":"release","created_at":"{{DateTimeOffset.UtcNow.AddMinutes(-5):O}}"}""");
        HostileAnswers.Named(answer).Apply(api, HostileMatrix.LockCalls[call]);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), api).Input("skip-superseded", "false").Input("script", "echo DEPLOYED-OVER-A-LOCK");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        var because = $"answer {answer} to `{call}`. Log:\n{result.Log}";
        AssertNoFault(result, because);
        Assert.False(result.Log.Contains("DEPLOYED-OVER-A-LOCK", StringComparison.Ordinal), "The script ran: " + because);
        Assert.True(api.States.SequenceEqual(["error"]), $"Statuses [{string.Join(", ", api.States)}], not one error: " + because);
        // 2: refused over the lock (a retried loss found it); 1: the check failed (the answer could not be believed).
        Assert.True(result.ExitCode is 1 or 2, "Not exit 1 or 2: " + because);
        Assert.True(result.Lines.Count(l => l.StartsWith("::error", StringComparison.Ordinal)) == 1, "Not one error line: " + because);
        return result;
    }

    private static void AssertNoFault(RunnerResult result, string because)
    {
        Assert.False(result.Log.Contains("Runner fault", StringComparison.Ordinal), "A runner fault: " + because);
        Assert.False(result.Log.Contains("   at ", StringComparison.Ordinal), "A stack trace: " + because);
    }

    private static List<string> Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path) ? $"{path}:{File.ReadAllText(path)}" : path)];
}
