using DeployRunner.Configuration;

namespace DeployRunner.Tests.ChatOps;

/// <summary>A target's <c>chatops:</c> key in deploy.yml: read like Deliverybot's keys, with file, line and column.</summary>
public sealed class ChatOpsRulesTests
{
    private const string File = ".github/deploy.yml";

    [Fact]
    public void The_key_is_read_and_defaults_to_write_without_forks()
    {
        var config = DeployConfig.Parse("""
            production:
              chatops:
                permission: admin
                forks: false
            review:
              chatops: { forks: true }
            staging: {}
            """, File);

        Assert.Equal(
            [new ChatOpsRules(AdminOnly: true, Forks: false), new ChatOpsRules(AdminOnly: false, Forks: true), ChatOpsRules.Defaults],
            config.Targets.Select(t => t.Creation.Comments));
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("production:\n  chatops: admin\n", ".github/deploy.yml:2:12", "must be a mapping")]
    [InlineData("production:\n  chatops:\n    permission: owner\n", ".github/deploy.yml:3:17", "must be write or admin, not 'owner'")]
    [InlineData("production:\n  chatops:\n    forks: maybe\n", ".github/deploy.yml:3:12", "`chatops.forks` of target `production` must be true or false")]
    [InlineData("production:\n  chatops:\n    permission: [admin]\n", ".github/deploy.yml:3:17", "`chatops.permission` of target `production` must be text")]
    public void A_wrong_value_is_an_error_at_its_place(string yaml, string place, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => DeployConfig.Parse(yaml, File)).Message;
        Assert.StartsWith(place, error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_is_a_warning_with_the_nearest_one()
    {
        var config = DeployConfig.Parse("production:\n  chatops:\n    permision: admin\n  chatop: {}\n", File);

        Assert.Equal(2, config.Warnings.Count);
        Assert.Contains("unknown key `permision` under `chatops` of target `production`, ignored. Did you mean `permission`?", config.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("Did you mean `chatops`?", config.Warnings[1], StringComparison.Ordinal);
        Assert.Equal(ChatOpsRules.Defaults, config.Targets[0].Creation.Comments);
    }
}
