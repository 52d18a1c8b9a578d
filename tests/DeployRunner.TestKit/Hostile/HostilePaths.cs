using System.Diagnostics;
using System.Text;

namespace DeployRunner.TestKit;

/// <summary>What an input that takes a path names: a file, a folder, or either.</summary>
[Flags]
public enum PathShape
{
    File = 1,
    Folder = 2,
    Either = File | Folder,
}

/// <summary>
/// How the runner must answer a hostile path: <see cref="Refused"/> is a configuration error
/// before any status (exit 2, one <c>::error::</c> line); <see cref="Handled"/> may deploy, fail or
/// refuse, as long as it is no runner fault and nothing outside the workspace is read or written.
/// </summary>
public enum PathExpectation
{
    Refused,
    Handled,
}

/// <summary>
/// One hostile case for an input that takes a path: a name, the shapes of input it applies to,
/// what the runner must do, and how to plant it in a workspace. <see cref="Plant"/> gets the
/// workspace and a valid sample of the input's file (a manifest, a deploy.yml) and returns the
/// value to give the input, relative to the workspace unless the case is about absolute paths.
/// </summary>
public sealed record HostilePath(string Name, PathShape Shape, PathExpectation Expectation, Func<HostileWorkspace, string> Plant)
{
    public override string ToString() => Name;
}

/// <summary>
/// A workspace being planted, with a canary beside it (<see cref="Outside"/>): a folder outside
/// the workspace whose files hold <see cref="Canary"/>, which must never appear in the log or be
/// changed.
/// </summary>
public sealed class HostileWorkspace
{
    public const string Canary = "OUTSIDE-THE-WORKSPACE-CANARY";

    public HostileWorkspace(string workspace, string sample, string fileName, PathShape shape)
    {
        Root = workspace;
        Shape = shape == PathShape.Folder ? PathShape.Folder : PathShape.File;
        Sample = sample;
        FileName = fileName;
        Outside = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(workspace)!, "outside")).FullName;
        File.WriteAllText(Path.Combine(Outside, fileName), sample.Replace("CANARY", Canary, StringComparison.Ordinal));
        Hostile = Directory.CreateDirectory(Path.Combine(workspace, "hostile")).FullName;
    }

    /// <summary>The workspace.</summary>
    public string Root { get; }

    /// <summary>What the value planted for the input names: a file (inputs that take either) or a folder.</summary>
    public PathShape Shape { get; }

    /// <summary>A valid file for the input; the word CANARY in it becomes <see cref="Canary"/> in the outside copy.</summary>
    public string Sample { get; }

    /// <summary>The name the input's file normally has (<c>app.yaml</c>, <c>deploy.yml</c>).</summary>
    public string FileName { get; }

    /// <summary>The folder beside the workspace, holding the canary.</summary>
    public string Outside { get; }

    /// <summary><c>hostile/</c> in the workspace, where cases plant what they need.</summary>
    public string Hostile { get; }

    /// <summary>The outside file's text, to check it was not changed.</summary>
    public string OutsideText => File.ReadAllText(Path.Combine(Outside, FileName));

    /// <summary>A folder under <c>hostile/</c> holding a valid sample file, and the entry named <paramref name="entry"/> planted by <paramref name="plant"/>.</summary>
    public string FolderWith(Action<string> plant)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Hostile, "folder")).FullName;
        File.WriteAllText(Path.Combine(folder, FileName), Sample.Replace("CANARY", "inside", StringComparison.Ordinal));
        plant(folder);
        return "hostile/folder";
    }

    /// <summary>A file under <c>hostile/</c> with these bytes.</summary>
    public string FileWith(string name, byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(Hostile, name), bytes);
        return "hostile/" + name;
    }

    public string InsideSample => Sample.Replace("CANARY", "inside", StringComparison.Ordinal);

    /// <summary>
    /// Creates a file whose name is these raw bytes (not UTF-8, control bytes): .NET would
    /// re-encode such a name, so the real <c>touch</c> makes it, as git checkout would.
    /// </summary>
    public static void TouchRawName(string folder, byte[] name)
    {
        var escaped = string.Concat(name.Select(b => $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}"));
        using var touch = Process.Start(new ProcessStartInfo("bash", ["-c", $"cd \"$1\" && touch -- \"$(printf '{escaped}')\"", "bash", folder]) { UseShellExecute = false })!;
        touch.WaitForExit();
        Assert.True(touch.ExitCode == 0, "touch could not create the raw file name");
    }
}

/// <summary>
/// The catalogue of hostile paths every input that takes a path goes through (see
/// <see cref="HostileMatrix"/>): escapes, links and loops, names no one expects, sizes and
/// encodings. A new case is one entry here; every input's theory then runs it.
/// </summary>
public static class HostilePaths
{
    public static IReadOnlyList<HostilePath> All { get; } =
    [
        // Escapes.
        new("parent-escape", PathShape.Either, PathExpectation.Refused, w => "../outside" + (Is(w, PathShape.File) ? "/" + w.FileName : "")),
        new("nested-parent-escape", PathShape.Either, PathExpectation.Refused, w => "hostile/../../outside" + (Is(w, PathShape.File) ? "/" + w.FileName : "")),
        new("absolute-outside", PathShape.Either, PathExpectation.Refused, w => Path.Combine(w.Outside, Is(w, PathShape.File) ? w.FileName : "")),
        new("backslash-escape", PathShape.Either, PathExpectation.Refused, w => "hostile\\..\\..\\outside"),

        // Links and loops.
        new("link-out", PathShape.Either, PathExpectation.Refused, w =>
        {
            File.CreateSymbolicLink(Path.Combine(w.Hostile, "link"), Is(w, PathShape.File) ? Path.Combine(w.Outside, w.FileName) : w.Outside);
            return "hostile/link";
        }),
        new("link-to-itself", PathShape.Either, PathExpectation.Refused, w =>
        {
            File.CreateSymbolicLink(Path.Combine(w.Hostile, "loop"), "loop");
            return "hostile/loop";
        }),
        new("dangling-link", PathShape.Either, PathExpectation.Refused, w =>
        {
            File.CreateSymbolicLink(Path.Combine(w.Hostile, "dangling"), "nowhere");
            return "hostile/dangling";
        }),
        new("link-out-inside-folder", PathShape.Folder, PathExpectation.Handled, w => w.FolderWith(folder =>
            File.CreateSymbolicLink(Path.Combine(folder, "z-" + w.FileName), Path.Combine(w.Outside, w.FileName)))),
        new("loop-inside-folder", PathShape.Folder, PathExpectation.Handled, w => w.FolderWith(folder =>
            Directory.CreateSymbolicLink(Path.Combine(folder, "again"), "."))),

        // Names.
        new("backslash-name-inside-folder", PathShape.Folder, PathExpectation.Handled, w => w.FolderWith(folder =>
            File.WriteAllText(Path.Combine(folder, "x\\..\\..\\..\\outside\\" + w.FileName), w.InsideSample))),
        new("control-bytes-name-inside-folder", PathShape.Folder, PathExpectation.Handled, w => w.FolderWith(folder =>
            File.WriteAllText(Path.Combine(folder, "a\n::error::injected\u001b[31m.yaml"), w.InsideSample))),
        new("non-utf8-name-inside-folder", PathShape.Folder, PathExpectation.Handled, w => w.FolderWith(folder =>
            HostileWorkspace.TouchRawName(folder, [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x79, 0x61, 0x6D, 0x6C]))),
        new("leading-dash-name", PathShape.Either, PathExpectation.Handled, w =>
        {
            if (Is(w, PathShape.File)) return w.FileWith("--help", Encoding.UTF8.GetBytes(w.InsideSample));
            Directory.CreateDirectory(Path.Combine(w.Hostile, "--help"));
            return "hostile/--help";
        }),
        new("very-long-path", PathShape.Either, PathExpectation.Handled, w =>
        {
            var segment = new string('a', 250);
            var folder = Directory.CreateDirectory(Path.Combine(w.Hostile, segment, segment, segment, segment)).FullName;
            if (!Is(w, PathShape.File)) return Path.GetRelativePath(w.Root, folder);
            File.WriteAllText(Path.Combine(folder, w.FileName), w.InsideSample);
            return Path.GetRelativePath(w.Root, Path.Combine(folder, w.FileName));
        }),

        // Sizes and encodings of the file itself.
        new("empty-file", PathShape.File, PathExpectation.Handled, w => w.FileWith("empty-" + w.FileName, [])),
        new("over-8-MiB", PathShape.File, PathExpectation.Handled, w =>
        {
            var path = Path.Combine(w.Hostile, "big-" + w.FileName);
            using (var file = File.Create(path)) file.SetLength((8 * 1024 * 1024) + 1);
            return "hostile/big-" + w.FileName;
        }),
        new("utf16-file", PathShape.File, PathExpectation.Handled, w => w.FileWith("utf16-" + w.FileName, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(w.InsideSample)])),
        new("utf8-bom-file", PathShape.File, PathExpectation.Handled, w => w.FileWith("bom-" + w.FileName, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(w.InsideSample)])),
        new("nul-and-invalid-utf8-bytes", PathShape.File, PathExpectation.Handled, w => w.FileWith("bytes-" + w.FileName, [.. Encoding.UTF8.GetBytes(w.InsideSample), 0x00, 0xFF, 0xC0, 0xAF, 0x0A])),
        new("truncated-file", PathShape.File, PathExpectation.Handled, w => w.FileWith("cut-" + w.FileName, Encoding.UTF8.GetBytes(w.InsideSample[..(w.InsideSample.Length / 2)] + "\n  hosts: [a, b\n  script: x\n"))),
    ];

    public static HostilePath Named(string name) => All.Single(c => c.Name == name);

    /// <summary>Whether the input being planted for takes a file (set by <see cref="HostileMatrix"/>).</summary>
    private static bool Is(HostileWorkspace workspace, PathShape shape) => workspace.Shape == shape;
}
