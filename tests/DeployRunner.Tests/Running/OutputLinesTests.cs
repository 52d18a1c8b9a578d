using System.Text;
using DeployRunner.ChildProcesses;

namespace DeployRunner.Tests.Running;

public sealed class OutputLinesTests
{
    /// <summary>Feeds the bytes in reads of the given size, as a pipe would.</summary>
    private static List<string> Lines(byte[] bytes, int readSize, out int batches)
    {
        var lines = new List<string>();
        var flushes = 0;
        OutputLines.Pump(new ChunkedStream(bytes, readSize), lines.Add, () => flushes++, CancellationToken.None);
        batches = flushes;
        return lines;
    }

    private static List<string> Lines(string text, int readSize = 7) => Lines(Encoding.UTF8.GetBytes(text), readSize, out _);

    [Fact]
    public void Lines_end_at_LF_CR_and_CRLF_even_when_a_CRLF_is_split_across_two_reads()
    {
        // With reads of 3 bytes, "ab\r" ends a read and its "\n" starts the next one.
        Assert.Equal(["ab", "cd", "ef", "", "gh"], Lines("ab\r\ncd\ref\n\ngh", readSize: 3));
        Assert.Equal(["ab", "cd", "ef", "", "gh"], Lines("ab\r\ncd\ref\n\ngh", readSize: 1));
    }

    [Fact]
    public void A_last_line_without_a_newline_is_still_a_line_and_nothing_is_merged()
    {
        var text = string.Join('\n', Enumerable.Range(1, 10_000)) + "\nlast";
        var lines = Lines(text, readSize: 4096);
        Assert.Equal([.. Enumerable.Range(1, 10_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "last"], lines);
    }

    [Fact]
    public void A_line_over_the_limit_is_cut_on_a_character_boundary_with_a_note_and_the_next_line_is_intact()
    {
        // "é" is two bytes: an odd prefix puts a character across the limit.
        var longLine = "x" + string.Concat(Enumerable.Repeat("é", OutputLines.MaxLineBytes));
        var lines = Lines(Encoding.UTF8.GetBytes(longLine + "\nnext\n"), 65_536, out _);

        Assert.Equal(3, lines.Count);
        Assert.Equal(OutputLines.MaxLineBytes - 1, Encoding.UTF8.GetByteCount(lines[0]));
        Assert.DoesNotContain('\uFFFD', lines[0]);
        // 1 + 2 x 65,536 bytes, written out: the note is checked, not recomputed.
        Assert.Equal("[deploy-runner] The line above was cut: it was 131073 bytes long, over the limit of 65536 bytes per line; the rest of it was left out.", lines[1]);
        Assert.Equal("next", lines[2]);
    }

    [Fact]
    public void Output_is_flushed_once_per_read_not_once_per_line()
    {
        var text = string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i}\n"));
        var lines = Lines(Encoding.UTF8.GetBytes(text), readSize: 65_536, out var batches);
        Assert.Equal(1000, lines.Count);
        // One read holds the whole text; one more flush at the end of the stream.
        Assert.True(batches <= 2, $"{batches} flushes for one read");
    }

    [Fact]
    public void No_line_is_passed_on_once_reading_is_stopped()
    {
        using var stop = new CancellationTokenSource();
        var lines = new List<string>();
        OutputLines.Pump(new ChunkedStream(Encoding.UTF8.GetBytes("a\nb\nc\n"), 2), line =>
        {
            lines.Add(line);
            stop.Cancel();
        }, () => { }, stop.Token);
        Assert.Equal(["a"], lines);
    }

    /// <summary>A stream that returns at most <c>readSize</c> bytes per read.</summary>
    private sealed class ChunkedStream(byte[] bytes, int readSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, readSize), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
