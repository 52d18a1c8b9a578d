using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.Inputs;

/// <summary>
/// Every YAML file the runner reads (<c>deploy.yml</c>, manifests, the kubeconfig) goes through
/// here: its events are counted in one streaming pass before any tree is built, so hostile
/// structure is refused in milliseconds instead of exhausting the stack (deep nesting) or the CPU
/// (alias and merge-key bombs, which are cheap to write and exponential to walk). The limits are
/// far above real files and documented in the README (Limits).
/// </summary>
internal static class YamlLimits
{
    /// <summary>The largest file read (a generous manifest bundle is a few hundred KiB).</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    /// <summary>The deepest nesting of mappings and sequences (Kubernetes objects reach about 15).</summary>
    public const int MaxDepth = 100;

    /// <summary>Nodes once every alias is expanded: what a walk of the document would visit.</summary>
    public const long MaxExpandedNodes = 250_000;

    /// <summary>Aliases (<c>*name</c>) in one file.</summary>
    public const int MaxAliases = 10_000;

    /// <summary>Reads a YAML file, refusing one over <see cref="MaxBytes"/> before reading it.</summary>
    public static async Task<string> ReadFileAsync(string path, string name, CancellationToken cancellationToken)
    {
        CheckFileSize(path, name);
        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    /// <inheritdoc cref="ReadFileAsync"/>
    public static string ReadFile(string path, string name)
    {
        CheckFileSize(path, name);
        return File.ReadAllText(path);
    }

    private static void CheckFileSize(string path, string name)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxBytes)
            throw new ConfigurationException($"{name} is {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the limit of {MaxBytes / 1024 / 1024} MiB for a YAML file.");
    }

    /// <summary>Checks the text against the limits, then loads it (a <see cref="YamlException"/> for either).</summary>
    public static YamlStream Load(string yaml)
    {
        Check(yaml);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        Guarded(parser, () => stream.Load(parser));
        return stream;
    }

    /// <summary>Throws <see cref="YamlLimitException"/> at the first limit passed, <see cref="YamlException"/> on a syntax error.</summary>
    public static void Check(string yaml)
    {
        if (yaml.Length > MaxBytes)
            throw new YamlLimitException(Mark.Empty, $"the text is over the limit of {MaxBytes / 1024 / 1024} MiB");

        var parser = new Parser(new StringReader(yaml));
        // One counter per open collection: the nodes it holds so far, aliases expanded.
        var open = new Stack<(long Nodes, string? Anchor)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        var aliases = 0;

        void Add(long nodes, ParsingEvent at)
        {
            if (open.TryPop(out var parent))
            {
                parent.Nodes += nodes;
                open.Push(parent);
                if (parent.Nodes > MaxExpandedNodes) throw TooMany(at);
            }
            else
            {
                total += nodes;
                if (total > MaxExpandedNodes) throw TooMany(at);
            }
        }

        while (Guarded(parser, parser.MoveNext))
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    anchors.Clear();
                    break;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = 1;
                    Add(1, scalar);
                    break;
                case NodeEvent { } start and (SequenceStart or MappingStart):
                    if (open.Count >= MaxDepth)
                        throw new YamlLimitException(start.Start, $"nesting deeper than the limit of {MaxDepth} levels");
                    open.Push((1, start.Anchor.IsEmpty ? null : start.Anchor.Value));
                    break;
                case SequenceEnd or MappingEnd:
                    var (nodes, anchor) = open.Pop();
                    if (anchor is not null) anchors[anchor] = nodes;
                    Add(nodes, parser.Current);
                    break;
                case AnchorAlias alias:
                    if (++aliases > MaxAliases)
                        throw new YamlLimitException(alias.Start, $"more than the limit of {MaxAliases:N0} aliases");
                    // An alias inside the node its anchor names makes a cycle: every walk of it recurses until the stack is gone.
                    if (open.Any(o => o.Anchor == alias.Value.Value))
                        throw new YamlLimitException(alias.Start, $"the alias *{alias.Value.Value} is inside the node it names (a loop)");
                    Add(anchors.GetValueOrDefault(alias.Value.Value, 1), alias);
                    break;
            }
        }

        static YamlLimitException TooMany(ParsingEvent at) =>
            new(at.Start, $"more than the limit of {MaxExpandedNodes:N0} nodes once aliases and merge keys are expanded (an alias bomb?)");
    }

    /// <summary>
    /// YamlDotNet's scanner can fail on broken input with an exception that is not a
    /// <see cref="YamlException"/> (an unclosed flow list followed by more lines ends in an
    /// InvalidOperationException with no position): every failure of the parser is a syntax error
    /// at the last place it reached, so the caller reports it as one, with a line and column.
    /// </summary>
    private static T Guarded<T>(IParser parser, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is not YamlException and not OutOfMemoryException)
        {
            var at = parser.Current?.Start ?? Mark.Empty;
            throw new SemanticErrorException(at, at, "the text is malformed here or just before (an unclosed [ or {, or a stray quote?)");
        }
    }

    private static void Guarded(IParser parser, Action step) => Guarded(parser, () =>
    {
        step();
        return true;
    });
}
