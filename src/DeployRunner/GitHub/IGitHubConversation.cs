using DeployRunner.Events;

namespace DeployRunner.GitHub;

/// <summary>
/// The GitHub port for comment commands: the conversation (reactions, replies), who the author
/// is to the repository, and what a command acts on (the pull request, deploy.yml on the default
/// branch, a commit's checks). Every answer that is not what was asked for is a
/// <see cref="GitHubApiException"/>: a command is refused, never run on a guess.
/// </summary>
internal interface IGitHubConversation
{
    /// <summary>A reaction on a comment (<c>POST /repos/{o}/{r}/issues/comments/{id}/reactions</c>): <c>eyes</c>, <c>rocket</c>, <c>confused</c>.</summary>
    Task AddReactionAsync(string repository, long commentId, string content, CancellationToken cancellationToken);

    /// <summary>A comment on an issue or pull request (<c>POST /repos/{o}/{r}/issues/{n}/comments</c>).</summary>
    Task PostCommentAsync(string repository, long issueNumber, string body, CancellationToken cancellationToken);

    /// <summary>The login's permission on the repository (<c>GET /repos/{o}/{r}/collaborators/{login}/permission</c>).</summary>
    Task<CollaboratorPermission> GetPermissionAsync(string repository, string login, CancellationToken cancellationToken);

    /// <summary>A pull request's head as the API has it now (<c>GET /repos/{o}/{r}/pulls/{n}</c>).</summary>
    Task<PullRequestEvent> GetPullRequestAsync(string repository, long number, CancellationToken cancellationToken);

    /// <summary>
    /// A file's text at a ref (<c>GET /repos/{o}/{r}/contents/{path}?ref=</c>), at most
    /// <paramref name="maxBytes"/>; null when the file does not exist there.
    /// </summary>
    Task<string?> GetFileAsync(string repository, string path, string gitRef, int maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Every check a commit has, by name: its commit statuses (the combined status) and its check
    /// runs, one page of each (<see cref="CheckLimit"/>).
    /// </summary>
    Task<IReadOnlyList<CommitCheck>> ListChecksAsync(string repository, string sha, CancellationToken cancellationToken);

    /// <summary>One page of GitHub's largest size, for statuses and for check runs.</summary>
    public const int CheckLimit = 100;
}
