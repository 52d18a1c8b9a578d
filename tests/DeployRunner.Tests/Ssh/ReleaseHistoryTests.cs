using DeployRunner.Handlers.Ssh.Releases;
using DeployRunner.Health;
using DeployRunner.Inputs;

namespace DeployRunner.Tests.Ssh;

public sealed class ReleaseHistoryTests
{
    private static ReleaseHistory History(string? current, string[] folders, params (string Event, string Name)[] log) =>
        new("/srv/app", current, folders, log);

    [Fact]
    public void The_previous_release_is_the_last_good_one_switched_to_by_the_log_not_by_name_or_age()
    {
        // 9-... sorts after 10-... by name; the log says 10 went live later.
        var history = History("11-c", ["9-a", "10-b", "11-c"], ("live", "10-b"), ("live", "9-a"), ("live", "11-c"));

        Assert.Equal("9-a", history.Previous());
    }

    [Fact]
    public void A_release_abandoned_by_a_rollback_is_not_the_target_of_the_next_rollback()
    {
        var history = History("2-b", ["1-a", "2-b", "3-c"], ("live", "1-a"), ("live", "2-b"), ("live", "3-c"), ("rolled-back", "3-c"), ("live", "2-b"));

        Assert.Equal("1-a", history.Previous());
    }

    [Fact]
    public void A_release_whose_folder_is_gone_is_never_a_rollback_target()
    {
        var history = History("3-c", ["2-b", "3-c"], ("live", "1-a"), ("live", "2-b"), ("live", "3-c"));

        Assert.Equal("2-b", history.Previous());
        Assert.Null(History("1-a", ["1-a"], ("live", "1-a")).Previous());
    }

    [Fact]
    public void Pruning_keeps_the_newest_good_releases_the_current_and_the_previous_and_drops_failed_partial_ones_but_never_foreign_folders()
    {
        var history = History(
            "6-f",
            ["1-a", "2-b", "3-c", "4-d", "5-e", "6-f", ".partial-7-g", "shared-assets", ".partial-evil name"],
            ("live", "1-a"), ("live", "2-b"), ("live", "3-c"), ("failed", "4-d"), ("failed", "5-e"), ("live", "6-f"));

        var pruned = history.ToPrune(keep: 2, previous: "3-c");

        Assert.Equal([".partial-7-g", "1-a", "2-b", "4-d", "5-e"], pruned);
    }

    [Fact]
    public void Failed_releases_never_count_toward_keep_releases()
    {
        var history = History("9-i", ["1-a", "2-b", "3-c", "4-d", "9-i"], ("live", "1-a"), ("live", "2-b"), ("failed", "3-c"), ("failed", "4-d"), ("live", "9-i"));

        var pruned = history.ToPrune(keep: 3, previous: "2-b");

        Assert.Equal(["3-c", "4-d"], pruned);
    }

    [Fact]
    public void A_rollback_finds_a_release_by_deployment_id_or_by_full_name()
    {
        var history = History("3-c", ["1-a", "12-x", "3-c"], ("live", "1-a"), ("live", "3-c"));

        Assert.Equal("1-a", history.Find("1"));
        Assert.Equal("12-x", history.Find("12"));
        Assert.Equal("12-x", history.Find("12-x"));
        Assert.Null(history.Find("2"));
        Assert.Null(history.Find("../1-a"));
    }

    [Theory]
    [InlineData("upload", "dist", "needs `deploy-path`")]
    [InlineData("after-switch", "true", "needs `deploy-path`")]
    public void Release_inputs_without_deploy_path_are_a_configuration_error(string name, string value, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => ReleaseSettings.From(InputSet.Of((name, value))));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("deploy-path", "/srv/../etc", "without `.` or `..` parts")]
    [InlineData("deploy-path", "/srv/./app", "without `.` or `..` parts")]
    [InlineData("deploy-path", "~/app", "starts with ~")]
    [InlineData("deploy-path", "/", "below /")]
    [InlineData("keep-releases", "1", "at least 2")]
    [InlineData("keep-releases", "many", "positive whole number")]
    [InlineData("auto-rollback", "maybe", "`true` or `false`")]
    [InlineData("health-check-url", "ftp://{host}/up", "http or https URL")]
    [InlineData("health-check-timeout", "soon", "duration")]
    public void Bad_release_inputs_are_a_configuration_error_naming_the_input(string name, string value, string expected)
    {
        var inputs = InputSet.Of(("deploy-path", "/srv/app")).With(name, value);

        var error = Assert.Throws<ConfigurationException>(() => ReleaseSettings.From(inputs));

        Assert.Contains(expected, error.Message);
        Assert.Contains($"`{name}`", error.Message);
    }

    [Fact]
    public void Release_settings_have_safe_defaults()
    {
        var settings = ReleaseSettings.From(InputSet.Of(("deploy-path", "app/"), ("upload", "dist\n*.txt")))!;

        Assert.Equal("app", settings.DeployPath);
        Assert.Equal(["dist", "*.txt"], settings.Upload);
        Assert.Equal(5, settings.KeepReleases);
        Assert.True(settings.AutoRollback);
        Assert.Null(settings.HealthCheck);
    }

    [Fact]
    public void The_health_check_url_fills_in_the_host_and_the_environment_url()
    {
        var check = HealthCheckSettings.From(InputSet.Of(("health-check-url", "https://{host}/up"), ("health-check-timeout", "20s")))!;

        Assert.Equal("https://web1.example.com/up", check.UrlFor("web1.example.com", null));
        Assert.Equal(TimeSpan.FromSeconds(20), check.Deadline);
        var env = HealthCheckSettings.From(InputSet.Of(("health-check-url", "{environment-url}/up")))!;
        Assert.Equal("https://pr1.example.com/up", env.UrlFor(null, "https://pr1.example.com/"));
        Assert.Throws<ConfigurationException>(() => env.UrlFor(null, null));
    }
}
