namespace DeployRunner.Handlers;

internal enum HandlerOutcome
{
    /// <summary>Every target did what it was asked: <c>success</c> (or <c>inactive</c> for a removal).</summary>
    Succeeded,

    /// <summary>The deployment itself failed, such as a script exiting non-zero: <c>failure</c>.</summary>
    Failed,

    /// <summary>The runner could not do the work (unreachable host, bad configuration found late): <c>error</c>.</summary>
    Errored,
}
