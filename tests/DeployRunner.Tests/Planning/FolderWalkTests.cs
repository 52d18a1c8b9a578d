using DeployRunner.Handlers.Ssh.Releases;
using DeployRunner.Planning;

namespace DeployRunner.Tests.Planning;

/// <summary>The one folder walk: links that loop are refused by name, quickly, whatever their shape; the walk is bounded and stops when asked.</summary>
public sealed class FolderWalkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("deploy-runner-walk-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, string content = "x")
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private void Link(string relative, string target)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    private List<string> Walk(string folder, CancellationToken cancellationToken = default) =>
        FolderWalk.Files(Path.Combine(_root, folder), _root, "upload", cancellationToken).Select(f => Path.GetRelativePath(_root, f.Path)).ToList();

    [Theory]
    [InlineData("dist/sub/up", "..", "dist/sub/up")]
    [InlineData("dist/self", ".", "dist/self")]
    [InlineData("dist/abs", "ROOT", "dist/abs")]
    public void A_link_to_a_folder_that_contains_it_is_a_loop_named_in_the_error(string link, string target, string named)
    {
        Write("dist/index.html");
        Link(link, target == "ROOT" ? _root : target);

        var error = Assert.Throws<ConfigurationException>(() => Walk("dist"));

        Assert.Contains($"'{named}'", error.Message);
        Assert.Contains("link loop", error.Message);
        Assert.Equal("upload", error.Setting);
    }

    [Fact]
    public void A_link_to_a_folder_outside_the_root_is_refused_as_outside_even_when_it_would_loop()
    {
        Write("dist/index.html");
        Link("dist/root", "../..");

        var error = Assert.Throws<ConfigurationException>(() => Walk("dist"));

        Assert.Contains("'dist/root' is a symbolic link (or inside one) to ", error.Message);
        Assert.Contains("outside the working directory", error.Message);
    }

    [Fact]
    public void Two_loops_are_refused_at_the_first()
    {
        Write("dist/a/x.txt");
        Link("dist/a/up", "..");
        Link("dist/b/back", "../..");

        var error = Assert.Throws<ConfigurationException>(() => Walk("dist"));

        Assert.Contains("'dist/a/up'", error.Message);
    }

    [Fact]
    public void A_cycle_through_a_folder_outside_the_walked_one_is_a_loop()
    {
        Write("dist/index.html");
        Write("other/o.txt");
        Link("dist/c", "../other");
        Link("other/back", "../dist");

        var error = Assert.Throws<ConfigurationException>(() => Walk("dist"));

        Assert.Contains("'dist/c/back'", error.Message);
        Assert.Contains("link loop", error.Message);
    }

    [Fact]
    public void A_chain_of_links_that_never_ends_and_a_dangling_link_are_named()
    {
        Write("dist/index.html");
        Link("dist/ping", "pong");
        Link("dist/pong", "ping");

        Assert.Contains("'dist/ping' is a symbolic link that loops", Assert.Throws<ConfigurationException>(() => Walk("dist")).Message);

        File.Delete(Path.Combine(_root, "dist/ping"));
        File.Delete(Path.Combine(_root, "dist/pong"));
        Link("dist/gone", "missing.txt");
        Assert.Contains("'dist/gone' is a symbolic link to missing.txt, which does not exist", Assert.Throws<ConfigurationException>(() => Walk("dist")).Message);
    }

    [Fact]
    public void Links_that_do_not_loop_are_followed_and_each_file_is_found_once_per_path()
    {
        Write("dist/index.html");
        Write("shared/lib/a.js");
        Link("dist/lib", "../shared/lib");
        Link("dist/home.html", "index.html");

        Assert.Equal(["dist/home.html", "dist/index.html", "dist/lib/a.js"], Walk("dist"));
    }

    [Fact]
    public void A_tree_deeper_than_the_limit_is_refused()
    {
        Write(string.Join('/', Enumerable.Repeat("d", FolderWalk.MaxDepth + 2)) + "/f.txt");

        var error = Assert.Throws<ConfigurationException>(() => Walk("d"));

        Assert.Contains($"more than {FolderWalk.MaxDepth} folders below 'd'", error.Message);
    }

    [Fact]
    public void A_stopped_walk_ends_at_once()
    {
        Write("dist/a.txt");
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();

        Assert.Throws<OperationCanceledException>(() => Walk("dist", stopped.Token));
    }

    [Fact]
    public void A_glob_walks_only_below_its_literal_folder_and_as_deep_as_it_reaches()
    {
        Write("dist/a.js");
        Write("dist/sub/b.js");
        Write("dist/sub/deeper/c.js");
        // A loop elsewhere in the workspace is not walked by a glob that cannot reach it.
        Link("elsewhere/loop", "..");

        List<string> Glob(string pattern) => FolderWalk.Glob(pattern, _root, "upload", CancellationToken.None).Select(f => Path.GetRelativePath(_root, f.Path)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["dist/a.js"], Glob("dist/*.js"));
        Assert.Equal(["dist/sub/b.js"], Glob("dist/*/*.js"));
        Assert.Equal(["dist/a.js", "dist/sub/b.js", "dist/sub/deeper/c.js"], Glob("dist/**/*.js"));
        Assert.Contains("link loop", Assert.Throws<ConfigurationException>(() => Glob("**/*.js")).Message);
    }

    /// <summary>
    /// Folders that each link twice to the next (no loop: nothing leads back up) make a tree of
    /// 2^levels paths from a few dozen links; <paramref name="filesAtTheBottom"/> files in the last.
    /// </summary>
    private void FanOut(string folder, int levels, int filesAtTheBottom)
    {
        for (var level = 0; level < levels; level++)
        {
            Link($"{folder}/d{level}/a", $"../d{level + 1}");
            Link($"{folder}/d{level}/b", $"../d{level + 1}");
        }

        for (var i = 0; i < filesAtTheBottom; i++) Write($"{folder}/d{levels}/f{i}");
    }

    /// <remarks>
    /// At the real limit (250,000 entries) a fan-out of 18 levels is refused after about three
    /// minutes of walking here (each linked path is resolved again), stoppable all along: the
    /// limit is reached here with fewer entries.
    /// </remarks>
    [Fact]
    public void A_link_fan_out_is_refused_at_the_entry_limit_naming_the_folder()
    {
        FanOut("fan", 10, 1);

        var error = Assert.Throws<ConfigurationException>(() => FolderWalk.Files(Path.Combine(_root, "fan/d0"), _root, "upload", CancellationToken.None, maxEntries: 1_000));

        Assert.Contains("'fan/d0' holds more than 1,000 files and folders", error.Message);
        // Under a limit it fits (2,046 folders and 1,024 files), the same tree is walked whole.
        Assert.Equal(1_024, FolderWalk.Files(Path.Combine(_root, "fan/d0"), _root, "upload", CancellationToken.None, maxEntries: 3_070).Count);
    }

    [Fact]
    public void An_upload_past_the_file_limit_is_refused_with_the_count()
    {
        Directory.CreateDirectory(Path.Combine(_root, "many"));
        for (var i = 0; i <= UploadSet.MaxFiles; i++) File.Create(Path.Combine(_root, "many", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Dispose();

        var error = Assert.Throws<ConfigurationException>(() => UploadSet.Match(["many"], _root, CancellationToken.None));

        Assert.Contains("100,001 files, over the limit of 100,000 files in one release", error.Message);
    }

    [Fact]
    public void An_upload_past_the_byte_limit_is_refused_without_reading_it()
    {
        Write("dist/index.html");
        // A sparse file: its size, not its blocks, is what the limit counts.
        using (var huge = File.Create(Path.Combine(_root, "dist/huge.bin")))
            huge.SetLength(UploadSet.MaxBytes + 1);

        var error = Assert.Throws<ConfigurationException>(() => UploadSet.Match(["dist"], _root, CancellationToken.None));

        Assert.Contains("10.0 GiB, over the limit of 10 GiB in one release", error.Message);
    }

    [Fact]
    public void The_upload_set_refuses_a_hostile_name_found_by_the_walk_by_name()
    {
        Write("dist/index.html");
        Write(@"dist/x\..\..\..\current\f1.txt");

        var error = Assert.Throws<ConfigurationException>(() => UploadSet.Match(["dist"], _root, CancellationToken.None));

        Assert.Contains(@"""dist/x\\..\\..\\..\\current\\f1.txt""", error.Message);
        Assert.Contains("backslash", error.Message);
    }

    [Fact]
    public void The_manifest_of_the_base_release_leaves_out_what_is_under_a_symbolic_link_there()
    {
        var hash = new string('a', 64);
        var manifest = ReleaseManifest.Parse(
            [$"{hash} - 1 dist/index.html", $"{hash} - 1 dist/storage/a.txt", $"{hash} - 1 dist/cfg.txt", $"{hash} - 1 dist/storage2.txt"],
            ["dist/storage", "dist/cfg.txt"]);

        Assert.Equal(["dist/index.html", "dist/storage2.txt"], manifest.Keys.Order(StringComparer.Ordinal));
    }
}
