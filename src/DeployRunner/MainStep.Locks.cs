using DeployRunner.ChatOps;
using DeployRunner.Configuration;
using DeployRunner.Events;
using DeployRunner.GitHub;

namespace DeployRunner;

/// <summary>The lock commands: <c>/lock</c>, <c>/unlock</c>, <c>/locks</c>, authorised here, kept by the lock store.</summary>
internal sealed partial class MainStep
{
    private Task<CommandReply> LockCommandAsync(IssueCommentEvent comment, DeployConfig config, CollaboratorPermission permission, ChatCommand command)
    {
        _ = (comment, config, permission, command);
        return Task.FromResult(CommandReply.Refused("Locks are not available yet.", "Locks are not available yet."));
    }
}
