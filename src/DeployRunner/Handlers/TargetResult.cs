namespace DeployRunner.Handlers;

/// <summary>The result of one target: a host, a Kubernetes object, the local script.</summary>
internal sealed record TargetResult(string Target, TargetState State, int? ExitCode, TimeSpan Duration, string? Reason = null)
{
    /// <summary>The state as the <c>results</c> output and the step summary spell it.</summary>
    public string Result => State.ToOutputName();
}
