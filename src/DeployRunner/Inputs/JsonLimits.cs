using System.Text;
using System.Text.Json;

namespace DeployRunner.Inputs;

/// <summary>
/// Bounds for the JSON the runner reads (the event file, a payload given as a JSON string).
/// System.Text.Json stops at 64 levels by default, which real payloads pass (nested Helm values);
/// past <see cref="MaxDepth"/> a document is refused in microseconds, without recursion that could
/// exhaust the stack. Documented in the README (Limits).
/// </summary>
internal static class JsonLimits
{
    /// <summary>GitHub caps webhook payloads at 25 MB; an event file larger than that did not come from GitHub.</summary>
    public const int MaxEventBytes = 25 * 1024 * 1024;

    /// <summary>The deepest nesting read.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// A key given twice is refused where it is (GitHub and kubectl never write one); allowed, the
    /// parsed tree would throw an ArgumentException later, far from the file, when first read.
    /// </summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>For writing what was read back out (the payload as <c>DEPLOY_PAYLOAD</c>) at the same depth.</summary>
    public static readonly JsonSerializerOptions WriteOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Where a parse stopped, as "line L, column C" (1-based, columns in bytes). A key given twice
    /// is found after its object was read, so the exception has no place: it is found again here.
    /// </summary>
    public static string Place(JsonException e, string json)
    {
        if (e.LineNumber is { } line) return $"line {line + 1}, column {e.BytePositionInLine + 1}";
        return DuplicateKey(json) is { } duplicate
            ? $"line {duplicate.Line}, column {duplicate.Column}: the key '{duplicate.Key}' is given twice"
            : e.Message.Split('\n')[0].Trim().TrimEnd('.');
    }

    private static (long Line, long Column, string Key)? DuplicateKey(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = true, MaxDepth = MaxDepth });
        var open = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        open.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        open.Pop();
                        break;
                    case JsonTokenType.PropertyName when !open.Peek().Add(reader.GetString()!):
                        var start = (int)reader.TokenStartIndex;
                        var lineStart = Array.LastIndexOf(bytes, (byte)'\n', Math.Max(0, start - 1)) + 1;
                        var line = bytes.AsSpan(0, start).Count((byte)'\n') + 1;
                        return (line, start - lineStart + 1, reader.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Another syntax error first: the caller reports the parser's message.
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="json"/> nests deeper than <see cref="MaxDepth"/> before any syntax
    /// error, so a failed parse is reported as the depth limit rather than as broken JSON. Decided
    /// by the reader's own <see cref="Utf8JsonReader.CurrentDepth"/> (allowed one level more than
    /// the limit, so that the level past it can be seen), never by the exception's wording, which
    /// System.Text.Json may change. Runs only after a parse failed.
    /// </summary>
    public static bool IsTooDeep(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = true, MaxDepth = MaxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                // A container token's depth counts the containers around it: at MaxDepth, it is level MaxDepth + 1.
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxDepth) return true;
            }
        }
        catch (JsonException)
        {
            // Broken before it got too deep: a syntax error, not the limit.
        }

        return false;
    }
}
