using System.Globalization;
using System.Text;
using CliWrap;

namespace DeployRunner.ChildProcesses;

/// <summary>
/// Splits a process's (or a server's) output into lines in a fixed amount of memory, whatever it
/// prints: one read buffer and at most <see cref="MaxLineBytes"/> of a line being assembled. A
/// longer line is cut there, followed by a note saying how long it was, so memory stays flat (a
/// gigabyte without a newline costs what a short line costs) and the log stays readable (the
/// rest of such a line is a blob nobody reads in a log). Lines end at LF, CR or CRLF, as the Actions runner reads them: a lone CR inside a piece
/// would start a new line on the runner's side, where a prefix no longer guards it.
/// After each read (whatever a pipe had ready), <c>onBatchEnd</c> lets the log send what it
/// buffered: one write per read instead of one per line.
/// </summary>
internal static class OutputLines
{
    /// <summary>The longest line passed on whole (docs/performance.md, "Limits"); longer lines are cut.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>A CliWrap pipe target that feeds <paramref name="onLine"/> line by line, bounded.</summary>
    public static PipeTarget Target(Action<string> onLine, Action onBatchEnd) =>
        PipeTarget.Create((stream, cancellationToken) => PumpOnOwnThread(stream, onLine, onBatchEnd, cancellationToken));

    /// <summary>
    /// Reads on a thread of its own: pipe and SSH.NET streams block on read, and a read that never
    /// returns (a background process keeps the pipe open) must not hold a pool thread.
    /// Once <paramref name="cancellationToken"/> is cancelled no further line is passed on.
    /// </summary>
    public static Task PumpOnOwnThread(Stream stream, Action<string> onLine, Action onBatchEnd, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Pump(stream, onLine, onBatchEnd, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Reads <paramref name="stream"/> to its end (or to cancellation), synchronously.</summary>
    public static void Pump(Stream stream, Action<string> onLine, Action onBatchEnd, CancellationToken cancellationToken)
    {
        var splitter = new LineSplitter(onLine, cancellationToken);
        var buffer = new byte[ReadBufferBytes];
        try
        {
            int read;
            while (!cancellationToken.IsCancellationRequested && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                splitter.Add(buffer.AsSpan(0, read));
                if (!cancellationToken.IsCancellationRequested) onBatchEnd();
            }

            splitter.End();
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            // The stream was closed while we read (the command was disposed, the process is gone):
            // the output ends here.
            splitter.End();
        }

        if (!cancellationToken.IsCancellationRequested) onBatchEnd();
    }

    /// <summary>The note that follows a line that was cut.</summary>
    public static string CutNote(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"[deploy-runner] The line above was cut: it was {bytes} bytes long, over the limit of {MaxLineBytes} bytes per line; the rest of it was left out.");

    /// <summary>Assembles lines across reads; holds at most <see cref="MaxLineBytes"/> of one line and counts the rest.</summary>
    private sealed class LineSplitter(Action<string> onLine, CancellationToken cancellationToken)
    {
        private readonly byte[] _line = new byte[MaxLineBytes];
        private int _length;
        private bool _afterCarriageReturn;
        private long _leftOut;

        public void Add(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                if (_afterCarriageReturn && data[0] == (byte)'\n')
                {
                    // The LF of a CRLF whose CR ended the previous read.
                    data = data[1..];
                    _afterCarriageReturn = false;
                    continue;
                }

                _afterCarriageReturn = false;
                var end = data.IndexOfAny((byte)'\n', (byte)'\r');
                Append(end < 0 ? data : data[..end]);
                if (end < 0) return;

                EndLine();
                if (data[end] == (byte)'\r')
                {
                    if (end + 1 < data.Length && data[end + 1] == (byte)'\n') end++;
                    else if (end + 1 == data.Length) _afterCarriageReturn = true;
                }

                data = data[(end + 1)..];
            }
        }

        /// <summary>The stream ended: a last line without a newline is still a line.</summary>
        public void End()
        {
            if (_length > 0) EndLine();
        }

        private void Append(ReadOnlySpan<byte> chunk)
        {
            var take = Math.Min(_line.Length - _length, chunk.Length);
            chunk[..take].CopyTo(_line.AsSpan(_length));
            _length += take;
            _leftOut += chunk.Length - take;
        }

        private void EndLine()
        {
            if (_leftOut == 0)
            {
                Emit(Encoding.UTF8.GetString(_line.AsSpan(0, _length)));
            }
            else
            {
                Emit(Encoding.UTF8.GetString(_line.AsSpan(0, CompleteCharacters())));
                Emit(CutNote(_length + _leftOut));
            }

            _length = 0;
            _leftOut = 0;
        }

        /// <summary>Where the kept part of a cut line ends without splitting a UTF-8 character.</summary>
        private int CompleteCharacters()
        {
            var start = _length - 1;
            while (start > 0 && _length - start < 4 && (_line[start] & 0xC0) == 0x80) start--;
            var lead = _line[start];
            var width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return start > 0 && start + width > _length ? start : _length;
        }

        private void Emit(string line)
        {
            if (!cancellationToken.IsCancellationRequested) onLine(line);
        }
    }
}
