using DeployRunner.ChatOps;
using DeployRunner.Configuration;
using DeployRunner.Creating;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Inputs;
using DeployRunner.Locking;
using DeployRunner.Running;

namespace DeployRunner;

/// <summary>
/// Comment commands on a pull request (<c>/deploy</c>, <c>/lock</c>, <c>/unlock</c>, <c>/locks</c>),
/// as Deliverybot answered them: a reaction at once, one reply at the end. Who may do what is
/// decided here, each time from the API: the author's permission now, deploy.yml from the
/// default branch, the pull request's head and whether it is a fork, the commit resolved once
/// and pinned by SHA in the workspace, its required checks. A deployment is then created and
/// run exactly as for a push or a dispatch.
/// </summary>
internal sealed partial class MainStep
{
    /// <summary>The reaction that says "seen, working on it".</summary>
    private const string Seen = "eyes";

    public async Task<int> CommentedAsync(IssueCommentEvent comment)
    {
        // The lock store is null when the run has no token (nothing is asked of the API then).
        var locks = _lockStore;
        RefuseRefInput("issue_comment");
        var command = comment.IsCreated && comment.OnPullRequest && !comment.ByBot ? ChatCommand.Parse(comment.Body) : null;
        if (command is null)
        {
            _log.Info(Ignored(comment));
            return ExitCodes.Deployed;
        }

        _log.Untrusted($"Comment {comment.CommentId} by {comment.Author} on pull request #{comment.IssueNumber}: {comment.Body.Split('\n', 2)[0].TrimEnd('\r')}");
        if (!CanCreate || _github is not IGitHubConversation conversation || locks is null)
        {
            _log.Info(_dryRun
                ? "Dry run: the command is not run; no reaction, no reply, nothing created."
                : "Running locally without a token: the command needs the GitHub API (permission, pull request, deploy.yml); nothing was done. Pass --token (and GITHUB_REPOSITORY) to run it from here.");
            return ExitCodes.Deployed;
        }

        try
        {
            await conversation.AddReactionAsync(_repository, comment.CommentId, Seen, _shutdown);
        }
        catch (GitHubApiException e)
        {
            // The reaction is a courtesy: the command still runs and still gets its reply.
            _log.Warning($"Could not acknowledge the comment: {e.Message}", "Comment command");
        }

        CommandReply reply;
        try
        {
            reply = await RunCommandAsync(conversation, locks, comment, command);
        }
        catch (GitHubApiException e)
        {
            reply = CommandReply.Failed(
                $"Could not run the command: the GitHub API failed ({ReplyText.Inline(e.Message, 300)}). Nothing was deployed or locked.",
                e.Message, ExitCodes.Failed);
        }
        catch (ConfigurationException e)
        {
            reply = CommandReply.Failed(
                $"Could not run the command: {ReplyText.Inline(e.Message, 400)} Nothing was deployed or locked.",
                e.Message, ExitCodes.CouldNotStart);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A fault of the runner: the commenter still hears of it, then the fault goes up as always.
            await ReplyAsync(conversation, comment, CommandReply.Failed("The runner failed while running the command; see the workflow run.", e.Message, ExitCodes.Failed));
            throw;
        }

        return await ReplyAsync(conversation, comment, reply);
    }

    private static string Ignored(IssueCommentEvent comment) =>
        !comment.IsCreated ? $"The comment was {(comment.Action ?? "changed")}, not created: commands are read from new comments only; nothing to do."
        : !comment.OnPullRequest ? $"The comment is on issue #{comment.IssueNumber}, not a pull request: commands run on pull requests only; nothing to do."
        : comment.ByBot ? "The comment is by a bot: bots' comments are never commands; nothing to do."
        : "The comment's first line is not a command (/deploy, /lock, /unlock, /locks): conversation; nothing to do.";

    /// <summary>The one reply, and the outcome in the log: an error for a failure, a warning for a refusal.</summary>
    private async Task<int> ReplyAsync(IGitHubConversation conversation, IssueCommentEvent comment, CommandReply reply)
    {
        switch (reply.Kind)
        {
            case ReplyKind.Failed:
                _log.Error(reply.LogLine, "Comment command");
                break;
            case ReplyKind.Refused:
                _log.Warning(reply.LogLine, "Comment command refused");
                break;
            default:
                _log.Untrusted(reply.LogLine);
                break;
        }

        try
        {
            await conversation.PostCommentAsync(_repository, comment.IssueNumber, reply.Body(_environment.LogUrl(_environment.Repository ?? _repository)), CancellationToken.None);
            return reply.Exit;
        }
        catch (GitHubApiException e)
        {
            _log.Error($"Could not reply to the comment: {e.Message}", "Comment command");
            return reply.Exit == ExitCodes.Deployed ? ExitCodes.Failed : reply.Exit;
        }
    }

    private async Task<CommandReply> RunCommandAsync(IGitHubConversation conversation, IEnvironmentLocks locks, IssueCommentEvent comment, ChatCommand command)
    {
        if (command is ChatCommand.Invalid invalid)
        {
            return CommandReply.Refused(
                $"That is not a command I understand. Usage: {invalid.Usage}.",
                $"The comment starts with {invalid.Word} but does not fit its usage: {invalid.Usage}.");
        }

        // Permission at the time of the command, for the comment's author (not the workflow's actor).
        var permission = await conversation.GetPermissionAsync(_repository, comment.Author, _shutdown);
        var author = ReplyText.Value(comment.Author);
        if (!permission.CanWrite)
        {
            return CommandReply.Refused(
                $"Sorry, {author}: only people with write, maintain or admin permission on this repository may run commands here, and you have {ReplyText.Value(permission.Describe)}. Nothing was done.",
                $"The comment's author has '{permission.Describe}' permission; commands need write, maintain or admin. Nothing was done.");
        }

        var config = await ReadDefaultBranchConfigAsync(conversation, comment);
        if (config.Reply is { } noConfig) return noConfig;

        return command switch
        {
            ChatCommand.Deploy deploy => await DeployByCommentAsync(conversation, comment, config.Config!, permission, deploy),
            _ => await LockCommandAsync(conversation, locks, comment, config.Config!, permission, command),
        };
    }

    /// <summary>
    /// deploy.yml as the default branch has it, through the API: never from the pull request
    /// (it could rewrite its own targets, payload or runner block) nor from the workspace (which
    /// will hold the pull request's commit).
    /// </summary>
    private async Task<(DeployConfig? Config, CommandReply? Reply)> ReadDefaultBranchConfigAsync(IGitHubConversation conversation, IssueCommentEvent comment)
    {
        var path = _inputs.Get("config") ?? EffectiveSettings.DefaultConfigPath;
        if (path.Length > 255 || path.StartsWith('/') || path.Split('/').Any(part => part is "" or "." or "..") || path.Any(c => char.IsControl(c) || c == '\\'))
            throw new ConfigurationException($"Input `config` must be a path inside the repository such as .github/deploy.yml, not '{new string(path.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray())}'.", setting: "config");
        var branch = comment.DefaultBranch
            ?? throw new ConfigurationException("The issue_comment event has no repository.default_branch: cannot tell where to read deploy.yml from.");
        _log.Untrusted($"Reading {path} from the default branch '{branch}' through the API: a comment command never uses the pull request's copy or the workspace's.");
        var text = await conversation.GetFileAsync(_repository, path, branch, YamlLimits.MaxBytes, _shutdown);
        if (text is null)
        {
            return (null, CommandReply.Failed(
                $"There is no {ReplyText.Value(path)} on the default branch {ReplyText.Value(branch)}, so there is no target to deploy or lock. Add it there (a pull request's own copy is never used).",
                $"{path} does not exist on the default branch '{branch}': comment commands need its targets. Add it there.", ExitCodes.CouldNotStart));
        }

        var config = DeployConfig.Parse(text, $"{path} (default branch {branch})");
        _preparer.UseConfig(config);
        return (config, null);
    }

    /// <summary>The target a command names, or the did-you-mean reply.</summary>
    private static (DeployTarget? Target, CommandReply? Reply) FindTarget(DeployConfig config, string name)
    {
        var targets = config.Targets.Where(t => !t.Name.StartsWith('.')).ToList();
        if (targets.FirstOrDefault(t => t.Name == name) is { } target) return (target, null);
        var nearest = DeployConfig.Nearest(name, targets.Select(t => t.Name));
        var names = targets.Count == 0 ? "none" : string.Join(", ", targets.Select(t => ReplyText.Value(t.Name)));
        return (null, CommandReply.Refused(
            $"There is no target {ReplyText.Value(name)} in deploy.yml on the default branch."
            + (nearest is null ? "" : $" Did you mean {ReplyText.Value(nearest)}?") + $" Targets: {names}.",
            $"The command names target '{name}', which is not in {config.File}" + (nearest is null ? "." : $"; did you mean '{nearest}'?")));
    }

    private async Task<CommandReply> DeployByCommentAsync(IGitHubConversation conversation, IssueCommentEvent comment, DeployConfig config, CollaboratorPermission permission, ChatCommand.Deploy deploy)
    {
        var (target, unknown) = FindTarget(config, deploy.Target);
        if (unknown is not null) return unknown;
        var rules = target!.Creation.Comments;
        var targetName = ReplyText.Value(target.Name);
        if (rules.AdminOnly && !permission.IsAdmin)
        {
            return CommandReply.Refused(
                $"Sorry, {ReplyText.Value(comment.Author)}: target {targetName} may be deployed by comment by admins only (`chatops: {{ permission: admin }}`), and you have {ReplyText.Value(permission.Describe)}. Nothing was deployed.",
                $"Target '{target.Name}' needs admin permission to deploy by comment; the author has '{permission.Describe}'. Nothing was deployed.");
        }

        var pullRequest = await conversation.GetPullRequestAsync(_repository, comment.IssueNumber, _shutdown);
        if (pullRequest.FromFork && !rules.Forks)
        {
            return CommandReply.Refused(
                $"Pull request #{comment.IssueNumber} comes from a fork (or its fork was deleted), and target {targetName} is not deployed from forks by comment: this workflow runs with this repository's secrets, and deploying the fork's code would hand them to its author. "
                + "Nothing was deployed. A maintainer can push the commits to a branch here, or allow it with `chatops: { forks: true }` on the target.",
                $"Pull request #{comment.IssueNumber} is from a fork and target '{target.Name}' does not allow forks (chatops.forks): not deployed, since the workflow runs with the base repository's secrets.");
        }

        // The commit is resolved once, here, and used by SHA from now on: a push to the branch
        // after the command does not change what is deployed.
        string sha;
        string gitRef;
        if (deploy.Ref is { } requested)
        {
            if (RefProblem(requested))
            {
                return CommandReply.Refused(
                    $"{ReplyText.Value(requested)} is not a branch, tag or commit SHA. Usage: {ChatCommand.UsageOf("/deploy")}.",
                    $"The command's ref '{requested}' is not a branch, tag or commit SHA.");
            }

            try
            {
                sha = await _github.ResolveCommitAsync(_repository, requested, _shutdown);
            }
            catch (GitHubApiException e) when (e.InnerException is Octokit.NotFoundException or Octokit.ApiValidationException)
            {
                return CommandReply.Refused(
                    $"There is no branch, tag or commit {ReplyText.Value(requested)} in this repository. Nothing was deployed.",
                    $"'{requested}' names no commit of {_repository}.");
            }

            gitRef = requested;
        }
        else
        {
            sha = pullRequest.HeadSha;
            gitRef = $"refs/heads/{pullRequest.HeadRef}";
        }

        _log.Untrusted($"/deploy of target '{target.Name}' at commit {sha} ({(deploy.Ref is null ? $"head of pull request #{comment.IssueNumber}, branch {pullRequest.HeadRef}" : deploy.Ref)}), by {comment.Author} ({permission.Describe}).");

        if (target.Creation.RequiredContexts is { Count: > 0 } required)
        {
            var checks = await conversation.ListChecksAsync(_repository, sha, _shutdown);
            var notPassed = RequiredChecks.NotPassed(required, checks);
            if (notPassed.Count > 0)
            {
                return CommandReply.Refused(
                    $"Target {targetName} requires checks that have not passed on {sha[..7]}:\n"
                    + string.Join("\n", notPassed.Select(c => $"- {ReplyText.Value(c.Name)}: {ReplyText.Inline(c.State, 40)}"))
                    + "\n\nNothing was deployed. Comment again when they pass.",
                    $"Required checks of target '{target.Name}' have not passed on {sha}: {string.Join(", ", notPassed.Select(c => $"{c.Name} ({c.State})"))}. Nothing was deployed.");
            }
        }

        // The lock is checked here, before anything is created, so that the reply names it; the
        // deployment's own check later still guards the run itself.
        var trigger = new CreationTrigger("issue_comment", gitRef, sha, deploy.Ref is null ? pullRequest with { Action = "comment" } : null);
        var environment = DeliverybotTemplate.Render(target.Environment, trigger.TemplateValues(target.Name, _repository), $"The environment of target `{target.Name}`");
        switch (await _locks.CheckAsync(_repository, environment, comment.Author, _shutdown))
        {
            case LockVerdict.Locked locked:
                return CommandReply.Refused(
                    $"Target {targetName} was not deployed: {ReplyText.Value(environment)} is {ReplyText.Inline(locked.Lock.Describe(TimeProvider.System.GetUtcNow()), 300)}. Nothing was created. "
                    + $"Deploy once it is unlocked (`/unlock {ReplyText.Inline(target.Name)}` by its owner or an admin, or when it expires).",
                    $"Target '{target.Name}' not deployed by comment: {locked.Description}. Nothing was created.");
            case LockVerdict.CheckFailed failed:
                return CommandReply.Failed(
                    $"Could not check whether {ReplyText.Value(environment)} is locked, so target {targetName} was not deployed; see the workflow run. Nothing was created.",
                    $"{failed.Message} Nothing was created: a deployment never runs without knowing whether its environment is locked.", ExitCodes.Failed);
        }

        var problem = await new WorkspaceCommit(_environment.Workspace, _environment.Variables.GetValueOrDefault("PATH"))
            .EnsureAsync(sha, _log.Untrusted, _shutdown);
        if (problem is not null)
        {
            return CommandReply.Failed(
                $"Could not deploy target {targetName}: {ReplyText.Inline(problem, 400)} Nothing was created.",
                $"Cannot deploy by comment: {problem} Nothing was created.", ExitCodes.CouldNotStart);
        }

        var deployed = new List<CreatedTarget>();
        var exit = await CreateAndDeployAsync(trigger, target.Name, deployed);
        return DeployReply(target, sha, exit, deployed);
    }

    private static CommandReply DeployReply(DeployTarget target, string sha, int exit, List<CreatedTarget> deployed)
    {
        var name = ReplyText.Value(target.Name);
        if (deployed.FirstOrDefault() is not { } created)
        {
            return CommandReply.Failed(
                $"Could not create the deployment of target {name} at {sha[..7]}; see the workflow run. Nothing was deployed.",
                $"The deployment of target '{target.Name}' was not created.", exit == ExitCodes.Deployed ? ExitCodes.Failed : exit);
        }

        if (created.Exit != ExitCodes.Deployed)
        {
            return CommandReply.Failed(
                $"Deployment {created.DeploymentId} of target {name} to {ReplyText.Value(created.Environment)} at {sha[..7]} failed; see the workflow run.",
                $"Deployment {created.DeploymentId} of target '{target.Name}' failed.", exit);
        }

        return CommandReply.Done(
            $"Deployed target {name} to {ReplyText.Value(created.Environment)} at {sha[..7]} (deployment {created.DeploymentId})."
            + (EnvironmentLink(created.EnvironmentUrl) is { } link ? $" Environment: {link}" : ""),
            $"Deployed target '{target.Name}' at {sha} (deployment {created.DeploymentId}).");
    }

    /// <summary>An http(s) URL as an autolink; anything else as inert text.</summary>
    private static string? EnvironmentLink(string? url) =>
        url is null ? null
        : Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http" && url.All(c => c > ' ' && c < 127 && c is not ('<' or '>' or '"' or '`'))
            ? $"<{url}>"
            : ReplyText.Inline(url, 200);
}
