namespace DeployRunner.Events;

/// <summary>A full commit SHA: what a created deployment's <c>ref</c> always is (two quick pushes must not race on a branch name).</summary>
internal static class CommitSha
{
    public static bool IsSha(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit);
}
