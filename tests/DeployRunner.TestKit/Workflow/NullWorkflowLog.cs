using DeployRunner.Workflow;

namespace DeployRunner.TestKit;

/// <summary>A log for tests that only construct a handler.</summary>
public sealed class NullWorkflowLog : IWorkflowLog
{
    public void Mask(string secret, bool eachLine = true) { }

    public void Info(string message) { }

    public void Debug(string message) { }

    public void Warning(string message, string? title = null) { }

    public void Error(string message, string? title = null) { }

    public void Untrusted(string text) { }

    public void Output(string line) { }

    public void StartGroup(string title) { }

    public void EndGroup() { }
}
