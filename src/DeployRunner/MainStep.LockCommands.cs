using DeployRunner.ChatOps;
using DeployRunner.Configuration;
using DeployRunner.Creating;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Locking;

namespace DeployRunner;

/// <summary>
/// The lock commands: <c>/lock</c>, <c>/unlock</c>, <c>/locks</c>. Who may run them is decided
/// here (write permission, or admin for a target with <c>chatops.permission: admin</c>; unlocking
/// someone else's lock takes an admin); the lock store keeps them (<see cref="IEnvironmentLocks"/>).
/// </summary>
internal sealed partial class MainStep
{
    private async Task<CommandReply> LockCommandAsync(IGitHubConversation conversation, IEnvironmentLocks locks, IssueCommentEvent comment, DeployConfig config, CollaboratorPermission permission, ChatCommand command)
    {
        if (command is ChatCommand.ListLocks) return await ListLocksAsync(locks);

        var targetName = command switch
        {
            ChatCommand.Lock locking => locking.Target,
            ChatCommand.Unlock unlocking => unlocking.Target,
            _ => throw new InvalidOperationException($"Not a lock command: {command.GetType().Name}."),
        };
        var (target, unknown) = FindTarget(config, targetName);
        if (unknown is not null) return unknown;
        if (target!.Creation.Comments.AdminOnly && !permission.IsAdmin)
        {
            return CommandReply.Refused(
                $"Sorry, {ReplyText.Value(comment.Author)}: target {ReplyText.Value(target.Name)} may be locked and unlocked by comment by admins only (`chatops: {{ permission: admin }}`), and you have {ReplyText.Value(permission.Describe)}. Nothing changed.",
                $"Target '{target.Name}' needs admin permission for lock commands; the author has '{permission.Describe}'. Nothing changed.");
        }

        var environment = await LockedEnvironmentAsync(conversation, comment, target);
        var shown = ReplyText.Value(environment);
        var now = TimeProvider.System.GetUtcNow();
        if (command is ChatCommand.Lock lockCommand)
        {
            var outcome = await locks.LockAsync(_repository, environment, comment.Author, lockCommand.Reason, lockCommand.Expiry, _environment.LogUrl(_environment.Repository ?? _repository), _shutdown);
            return outcome switch
            {
                LockOutcome.Taken taken => CommandReply.Done(
                    $"Locked {shown}: deployments to it are refused until it is unlocked (`/unlock {ReplyText.Inline(target.Name)}`)"
                    + (taken.Lock.ExpiresAt is { } expires ? $" or the lock expires in {EnvironmentLock.Age(expires - now)}" : "")
                    + $". The lock is the branch {ReplyText.Value(taken.Lock.Branch)}.",
                    $"Locked '{environment}' for {comment.Author} (branch {taken.Lock.Branch})."),
                LockOutcome.AlreadyHeld held => CommandReply.Done(
                    $"You already hold the lock of {shown}; nothing changed ({ReplyText.Inline(held.Lock.Describe(now), 300)}).",
                    $"'{environment}' is already locked by {comment.Author}; nothing changed."),
                LockOutcome.Refused refused => CommandReply.Refused(
                    $"{shown} is already {ReplyText.Inline(refused.Holder.Describe(now), 300)}. Nothing changed.",
                    $"'{environment}' is already {refused.Holder.Describe(now)}."),
                _ => throw new InvalidOperationException($"Unknown lock outcome {outcome.GetType().Name}."),
            };
        }

        var unlock = await locks.UnlockAsync(_repository, environment, comment.Author, permission.IsAdmin, _shutdown);
        return unlock switch
        {
            UnlockOutcome.Released released => CommandReply.Done(
                $"Unlocked {shown} (it was {ReplyText.Inline(released.Lock.Describe(now), 300)}).",
                $"Unlocked '{environment}' ({released.Lock.Describe(now)})."),
            UnlockOutcome.NotLocked => CommandReply.Done($"{shown} is not locked; nothing to do.", $"'{environment}' is not locked."),
            UnlockOutcome.Refused refused => CommandReply.Refused(
                $"Sorry, {ReplyText.Value(comment.Author)}: {shown} is {ReplyText.Inline(refused.Holder.Describe(now), 300)}. Only the lock's owner or an admin may unlock it. Nothing changed.",
                $"'{environment}' is {refused.Holder.Describe(now)}; only its owner or an admin may unlock it."),
            _ => throw new InvalidOperationException($"Unknown unlock outcome {unlock.GetType().Name}."),
        };
    }

    /// <summary>
    /// The environment a lock command acts on: the target's, rendered for this pull request when
    /// it is a template (<c>pr${{ pr }}</c>), so <c>/lock review</c> locks this pull request's review app.
    /// </summary>
    private async Task<string> LockedEnvironmentAsync(IGitHubConversation conversation, IssueCommentEvent comment, DeployTarget target)
    {
        if (!target.Environment.Contains("${{", StringComparison.Ordinal)) return target.Environment;
        var pullRequest = await conversation.GetPullRequestAsync(_repository, comment.IssueNumber, _shutdown);
        var trigger = new CreationTrigger("issue_comment", $"refs/heads/{pullRequest.HeadRef}", pullRequest.HeadSha, pullRequest);
        return DeliverybotTemplate.Render(target.Environment, trigger.TemplateValues(target.Name, _repository), $"The environment of target `{target.Name}`");
    }

    private async Task<CommandReply> ListLocksAsync(IEnvironmentLocks locks)
    {
        var listing = await locks.ListAsync(_repository, _shutdown);
        var now = TimeProvider.System.GetUtcNow();
        if (listing.Locks.Count == 0) return CommandReply.Done("No environment is locked.", "No environment is locked.");
        var lines = listing.Locks.Select(l => $"- {ReplyText.Value(l.Environment)}: {ReplyText.Inline(l.Describe(now), 300)}");
        return CommandReply.Done(
            $"{listing.Locks.Count} locked environment(s):\n" + string.Join("\n", lines)
            + (listing.Truncated ? $"\n\nOnly the first {IEnvironmentLocks.MaxListed} lock branches were read." : ""),
            $"{listing.Locks.Count} locked environment(s): {string.Join(", ", listing.Locks.Select(l => l.Environment))}.");
    }
}
