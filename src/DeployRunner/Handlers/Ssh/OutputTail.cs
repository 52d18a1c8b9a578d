namespace DeployRunner.Handlers.Ssh;

/// <summary>The last few lines a host printed (legacy <c>##[</c> command lines left out).</summary>
internal sealed class OutputTail(int capacity)
{
    private const int MaxLineLength = 200;
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        if (line.Contains("##[", StringComparison.Ordinal)) return;
        lock (_gate)
        {
            _lines.Enqueue(line.Length <= MaxLineLength ? line : line[..MaxLineLength] + "...");
            if (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public string Format()
    {
        lock (_gate)
            return _lines.Count == 0 ? "" : "\nLast output:\n" + string.Join('\n', _lines);
    }
}
