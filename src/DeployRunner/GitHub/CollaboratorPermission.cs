namespace DeployRunner.GitHub;

/// <summary>
/// A user's permission on a repository, as GitHub answers it: <c>permission</c> is one of
/// admin, write, read, none (maintain shows as write and triage as read there), <c>role_name</c>
/// the role itself (admin, maintain, write, triage, read, or a custom role's name).
/// https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
/// </summary>
internal sealed record CollaboratorPermission(string Permission, string? RoleName)
{
    public bool IsAdmin => Permission == "admin" || RoleName == "admin";

    /// <summary>Write, maintain or admin: what may deploy or lock.</summary>
    public bool CanWrite => IsAdmin || Permission == "write" || RoleName is "maintain" or "write";

    /// <summary>How the reply names it: the role when GitHub gives one, else the permission.</summary>
    public string Describe => RoleName is { Length: > 0 } role ? role : Permission;
}
