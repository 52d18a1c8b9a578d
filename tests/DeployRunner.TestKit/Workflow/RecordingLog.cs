using DeployRunner.Workflow;

namespace DeployRunner.TestKit;

/// <summary>An <see cref="IWorkflowLog"/> that keeps what was written, for assertions.</summary>
public sealed class RecordingLog : IWorkflowLog
{
    public List<string> Warnings { get; } = [];

    public List<string> Lines { get; } = [];

    public void Mask(string secret, bool eachLine = true) { }

    public void Info(string message) => Lines.Add(message);

    public void Debug(string message) { }

    public void Warning(string message, string? title = null) => Warnings.Add(message);

    public void Error(string message, string? title = null) => Lines.Add("error: " + message);

    public void Untrusted(string text) => Lines.Add(text);

    public void Output(string line) => Lines.Add(line);

    public void StartGroup(string title) { }

    public void EndGroup() { }
}
