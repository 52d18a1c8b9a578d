namespace DeployRunner.Configuration;

/// <summary>
/// A target's <c>chatops:</c> key: who may deploy or lock it from a pull request comment.
/// Write permission is the floor for every command; <see cref="AdminOnly"/> raises it for a
/// target such as production. A fork's pull request is never deployed by comment unless
/// <see cref="Forks"/> says so: an <c>issue_comment</c> workflow runs with the base
/// repository's secrets, and a fork's code would run with them.
/// </summary>
internal sealed record ChatOpsRules(bool AdminOnly, bool Forks)
{
    public static readonly ChatOpsRules Defaults = new(AdminOnly: false, Forks: false);

    /// <summary>The keys under <c>chatops:</c>.</summary>
    public static readonly IReadOnlyList<string> Keys = ["permission", "forks"];

    /// <summary>The values of <c>chatops.permission</c>, lowest first.</summary>
    public static readonly IReadOnlyList<string> Permissions = ["write", "admin"];
}
