using System.Text;

namespace DeployRunner.TestKit;

/// <summary>
/// A deterministic fuzzer for the text formats the runner reads (YAML, JSON): real files cut short
/// and mutated where parsers are weakest (flow brackets, quotes, indentation, anchors, bytes that
/// are not UTF-8). The same seed gives the same mutations on every machine, so a failure names a
/// case that can be replayed (<see cref="Mutant.Name"/>).
/// </summary>
public static class HostileText
{
    /// <summary>The characters YAML and JSON give meaning to, and the bytes that break decoders.</summary>
    private static readonly string[] Fragments =
    [
        "[", "]", "{", "}", ":", ": ", "- ", "? ", "&a ", "*a", "*missing", "!", "!!binary ", "|", ">", "'", "\"", "#", ",",
        "%YAML 1.1\n", "---\n", "...\n", "<<: ", "\t", "\0", "\r", "\n", "\\", "\\u", "\uFEFF", "\uFFFD", "\u2028",
        "[a, b\n", "{a: 1\n", "\"unclosed\n", "    ", "-", "1e999", "99999999999999999999999", "null", "true", "~",
    ];

    /// <summary>One mutated text: what was done to which file, and the text.</summary>
    public sealed record Mutant(string Name, string Text)
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// <paramref name="count"/> mutants of <paramref name="text"/>: truncations at seeded offsets,
    /// then insertions, replacements, deletions and line shuffles, a few at a time.
    /// </summary>
    public static IEnumerable<Mutant> Mutants(string name, string text, int seed, int count)
    {
        var random = new Random(HashCode(name) ^ seed);
        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder(text);
            var steps = new List<string>();
            if (i % 4 == 0)
            {
                var at = random.Next(builder.Length + 1);
                builder.Length = at;
                steps.Add($"cut at {at}");
            }
            else
            {
                var edits = 1 + random.Next(3);
                for (var e = 0; e < edits; e++) steps.Add(Edit(builder, random));
            }

            yield return new Mutant($"{name} #{i} ({string.Join("; ", steps)})", builder.ToString());
        }
    }

    /// <summary>Bytes that are not UTF-8 (a Latin-1 name, a lone continuation byte, an overlong form), decoded the way File.ReadAllText decodes them.</summary>
    public static string WithInvalidUtf8(string text, int at)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        bytes.InsertRange(Math.Clamp(at, 0, bytes.Count), [0xE9, 0x80, 0xC0, 0xAF, 0xFF]);
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string Edit(StringBuilder text, Random random)
    {
        var at = random.Next(text.Length + 1);
        switch (random.Next(6))
        {
            case 0:
                var fragment = Fragments[random.Next(Fragments.Length)];
                text.Insert(at, fragment);
                return $"insert {Visible(fragment)} at {at}";
            case 1 when at < text.Length:
                var replacement = Fragments[random.Next(Fragments.Length)];
                text.Remove(at, 1).Insert(at, replacement);
                return $"replace {at} with {Visible(replacement)}";
            case 2 when at < text.Length:
                var length = Math.Min(text.Length - at, 1 + random.Next(40));
                text.Remove(at, length);
                return $"delete {length} at {at}";
            case 3:
                var lines = text.ToString().Split('\n').ToList();
                var line = random.Next(lines.Count);
                lines.Insert(line, lines[random.Next(lines.Count)]);
                text.Clear().Append(string.Join('\n', lines));
                return $"duplicate a line before line {line + 1}";
            case 4:
                var invalid = WithInvalidUtf8(text.ToString(), at);
                text.Clear().Append(invalid);
                return $"non-UTF-8 bytes at {at}";
            default:
                var all = text.ToString().Split('\n').ToList();
                var first = random.Next(all.Count);
                all.Insert(first, all[first].TrimStart() is { Length: > 0 } trimmed ? "  " + trimmed : "[");
                text.Clear().Append(string.Join('\n', all));
                return $"re-indent line {first + 1}";
        }
    }

    private static string Visible(string fragment) =>
        string.Concat(fragment.Select(c => char.IsControl(c) || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString()));

    /// <summary>A stable hash (string.GetHashCode is randomised per process).</summary>
    private static int HashCode(string text)
    {
        unchecked
        {
            var hash = 17;
            foreach (var c in text) hash = (hash * 31) + c;
            return hash;
        }
    }
}
