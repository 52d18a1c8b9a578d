using DeployRunner.Configuration;
using DeployRunner.Edge;
using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>A command line that explains itself, from the same sources as the runner: action.yml for the meaning, the handler definitions for the grouping.</summary>
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
            // A secret is shown as its variable, never as a flag with a value.
            var shown = SettingCatalog.IsSecret(input.Name) ? $"secret: INPUT_{input.Name.ToUpperInvariant()} " : $"--{input.Name} ";
            var index = lines.FindIndex(l => l.TrimStart().StartsWith(shown, StringComparison.Ordinal) || l.Trim() == $"--{input.Name}");
            Assert.True(index >= 0, $"--help does not list input `{input.Name}` as `{shown}`:\n{result.Log}");
            Assert.EndsWith($"(default: {(input.Default.Length == 0 ? "none" : input.Default)})", lines[index]);
            var header = lines.Take(index).Last(l => l.EndsWith(':') && !l.StartsWith(' '));
            var reader = HandlerCatalog.All.FirstOrDefault(h => h.Reads(input.Name));
            Assert.Equal(reader is null ? "Inputs for every handler:" : $"{reader.Name} handler:", header);
        }

        Assert.Contains(lines, l => l.Trim() == "ssh handler:");
        Assert.Contains(lines, l => l.Trim() == "kubectl handler:");
    }

    [Fact(Timeout = 60_000)]
    public async Task Help_lists_the_release_inputs_under_ssh_and_secrets_as_variables_to_pass_with_env()
    {
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync("--help");

        result.ShouldExitWith(0);
        var lines = result.Lines.ToList();
        foreach (var release in new[] { "deploy-path", "upload", "after-switch", "keep-releases", "auto-rollback" })
        {
            var index = lines.FindIndex(l => l.TrimStart().StartsWith($"--{release}", StringComparison.Ordinal));
            Assert.True(index >= 0, $"--help does not list `{release}`:\n{result.Log}");
            Assert.Equal("ssh handler:", lines.Take(index).Last(l => l.EndsWith(':') && !l.StartsWith(' ')));
        }

        Assert.DoesNotContain(lines, l => l.Contains("--ssh-key", StringComparison.Ordinal) || l.Contains("--kubeconfig", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("secret: INPUT_SSH-KEY ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("env \"INPUT_SSH-KEY=", StringComparison.Ordinal));
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
