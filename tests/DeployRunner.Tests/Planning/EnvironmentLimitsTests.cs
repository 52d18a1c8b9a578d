using DeployRunner.Planning;

namespace DeployRunner.Tests.Planning;

public sealed class EnvironmentLimitsTests
{
    [Fact]
    public void A_variable_over_128_KiB_is_left_out_by_name_and_the_rest_kept()
    {
        var variables = new Dictionary<string, string> { ["DEPLOY_ID"] = "1", ["DEPLOY_PAYLOAD"] = new string('x', 200 * 1024), ["DEPLOY_PAYLOAD_BIG"] = new string('y', 128 * 1024) };

        var (kept, leftOut) = EnvironmentLimits.Fit(variables);

        Assert.Equal(["DEPLOY_PAYLOAD", "DEPLOY_PAYLOAD_BIG"], leftOut);
        Assert.Equal(["DEPLOY_ID"], kept.Keys);
    }

    [Fact]
    public void Ten_thousand_payload_keys_are_trimmed_largest_first_until_the_total_fits()
    {
        var variables = Enumerable.Range(0, 10_000).ToDictionary(i => $"DEPLOY_PAYLOAD_KEY{i}", i => new string('v', i % 2 == 0 ? 200 : 100));
        variables["DEPLOY_ID"] = "1";

        var (kept, leftOut) = EnvironmentLimits.Fit(variables);

        Assert.True(kept.Sum(v => (long)EnvironmentLimits.Size(v.Key, v.Value)) <= EnvironmentLimits.MaxTotalBytes);
        Assert.Contains("DEPLOY_ID", kept.Keys);
        Assert.NotEmpty(leftOut);
        Assert.All(leftOut, name => Assert.Equal(200, variables[name].Length));
    }

    [Fact]
    public void Variables_that_fit_are_all_kept()
    {
        var (kept, leftOut) = EnvironmentLimits.Fit(new Dictionary<string, string> { ["DEPLOY_ID"] = "1", ["DEPLOY_PAYLOAD"] = new string('x', 100 * 1024) });

        Assert.Empty(leftOut);
        Assert.Equal(2, kept.Count);
    }
}
