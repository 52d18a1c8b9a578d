using DeployRunner.Configuration;
using DeployRunner.Creating;
using DeployRunner.Events;

namespace DeployRunner.Tests.Creating;

/// <summary>The body of a created deployment, per target and event, and the targets an event selects.</summary>
public sealed class DeploymentRequestsTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    private static DeployConfig Config(string yaml) => DeployConfig.Parse(yaml, ".github/deploy.yml");

    private static readonly PullRequestEvent PullRequest = new("opened", 17, "feature/login", Sha, FromFork: false);

    [Fact]
    public void A_review_app_renders_pr_templates_and_carries_target_pr_and_the_runner_mark()
    {
        var target = Config("""
            review:
              environment: pr${{ pr }}
              transient_environment: true
              description: Review of ${{ ref }} at ${{ short_sha }} in ${{ owner }}/${{ repo }}
              payload: { release: "review-${{ pr }}", replicas: 1 }
            """).Targets[0];

        var request = DeploymentRequests.Build(target, new CreationTrigger("pull_request", "refs/heads/feature/login", Sha, PullRequest), "octo/app", RunnerMark.Create("42", "1"));

        Assert.Equal((Sha, "pr17", "deploy", false, true, false), (request.Ref, request.Environment, request.Task, request.AutoMerge, request.TransientEnvironment, request.ProductionEnvironment));
        Assert.Equal("Review of feature/login at 0123456 in octo/app", request.Description);
        Assert.Equal("""{"release":"review-17","replicas":1,"target":"review","pr":17,"deliverybot_runner":{"run_id":"42","run_attempt":"1"}}""", request.Payload.ToJsonString());
        Assert.Empty(request.RequiredContexts);
    }

    [Fact]
    public void A_long_description_is_cut_to_140_characters()
    {
        var target = Config($"staging:\n  description: \"{new string('x', 200)}\"\n").Targets[0];

        var request = DeploymentRequests.Build(target, new CreationTrigger("push", "refs/heads/main", Sha), "octo/app", RunnerMark.Create("1", "1"));

        Assert.Equal(140, request.Description.Length);
        Assert.EndsWith("…", request.Description);
    }

    [Fact]
    public void A_pr_template_outside_a_pull_request_is_a_clear_error()
    {
        var target = Config("review:\n  environment: pr${{ pr }}\n").Targets[0];

        var error = Assert.Throws<ConfigurationException>(() => DeploymentRequests.Build(target, new CreationTrigger("push", "refs/heads/main", Sha), "octo/app", RunnerMark.Create("1", "1"))).Message;

        Assert.Contains("${{ pr }}, which only a pull request has", error);
    }

    [Fact]
    public void An_unknown_template_name_is_refused_with_the_known_ones()
    {
        var target = Config("t:\n  environment: env-${{ branch }}\n").Targets[0];

        var error = Assert.Throws<ConfigurationException>(() => DeploymentRequests.Build(target, new CreationTrigger("push", "refs/heads/main", Sha), "octo/app", RunnerMark.Create("1", "1"))).Message;

        Assert.Contains("${{ branch }}", error);
        Assert.Contains("${{ short_sha }}", error);
    }

    [Fact]
    public void A_template_value_is_inserted_as_data_and_never_rendered_again()
    {
        var target = Config("t:\n  description: \"at ${{ ref }}\"\n").Targets[0];
        var pullRequest = PullRequest with { HeadRef = "${{ sha }}" };

        var request = DeploymentRequests.Build(target, new CreationTrigger("pull_request", "refs/heads/x", Sha, pullRequest), "octo/app", RunnerMark.Create("1", "1"));

        Assert.Equal("at ${{ sha }}", request.Description);
    }

    [Fact]
    public void A_push_selects_every_matching_target_in_file_order()
    {
        var config = Config("""
            docs: { auto_deploy_on: refs/heads/main }
            review: { auto_deploy_on: pr }
            staging: { auto_deploy_on: "refs/heads/*" }
            release: { auto_deploy_on: "refs/tags/*" }
            """);

        Assert.Equal(["docs", "staging"], TargetSelection.Select(config, new CreationTrigger("push", "refs/heads/main", Sha), null, "x").Targets.Select(t => t.Name));
        Assert.Equal(["release"], TargetSelection.Select(config, new CreationTrigger("push", "refs/tags/v1", Sha), null, "x").Targets.Select(t => t.Name));
        Assert.Equal(["review"], TargetSelection.Select(config, new CreationTrigger("pull_request", "refs/heads/x", Sha, PullRequest), null, "x").Targets.Select(t => t.Name));
        var none = TargetSelection.Select(Config("docs: { auto_deploy_on: refs/heads/main }"), new CreationTrigger("push", "refs/heads/dev", Sha), null, "x");
        Assert.Empty(none.Targets);
        Assert.Contains("matches no target's `auto_deploy_on`", none.NothingToDo);
    }

    [Fact]
    public void An_unknown_target_input_is_refused_with_did_you_mean()
    {
        var config = Config("staging: {}\nproduction: {}\n");

        var error = Assert.Throws<ConfigurationException>(() => TargetSelection.Select(config, new CreationTrigger("workflow_dispatch", "refs/heads/main", Sha), "prodution", "x")).Message;

        Assert.Contains("did you mean 'production'?", error);
        Assert.Contains("Nothing was created", error);
    }
}
