using DeployRunner.Edge;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>Issue 11, point 2: a command line that explains itself, from the same source as action.yml.</summary>
public sealed class CommandLineHelpTests
{

    private static RunnerSandbox Sandbox() => new RunnerSandbox(WebhookEvents.Deployment()).OutsideActions();

    [Theory(Timeout = 60_000)]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_action_yml_input_under_its_handler_with_its_default(string word)
    {
        using var sandbox = Sandbox();
        var declared = ActionMetadata.Inputs;

        var result = await sandbox.RunAsync(word);

        result.ShouldExitWith(0);
        Assert.NotEmpty(declared);
        var lines = result.Lines.ToList();
        foreach (var input in declared)
        {
            var index = lines.FindIndex(l => l.TrimStart().StartsWith($"--{input.Name} ", StringComparison.Ordinal) || l.Trim() == $"--{input.Name}");
            Assert.True(index >= 0, $"--help does not list input `{input.Name}`:\n{result.Log}");
            Assert.EndsWith($"(default: {(input.Default.Length == 0 ? "none" : input.Default)})", lines[index]);
            var header = lines.Take(index).Last(l => l.EndsWith(':') && !l.StartsWith(' '));
            Assert.Equal(input.Handler is null ? "Inputs for every handler:" : $"{input.Handler} handler:", header);
        }

        Assert.Contains(lines, l => l.Trim() == "ssh handler:");
        Assert.Contains(lines, l => l.Trim() == "kubectl handler:");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_version_is_printed()
    {
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync("--version");

        result.ShouldExitWith(0);
        Assert.Matches(@"^Deliverybot Runner \d+\.\d+", Assert.Single(result.Lines));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_without_arguments_or_event_points_to_help()
    {
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains("--event PATH", error);
        Assert.Contains("--help", error);
    }
}
