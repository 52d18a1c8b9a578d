using System.Text.RegularExpressions;

namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>The README is a front door whose links and promises hold.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Root = RepositoryFiles.Root;

    private static string Read(string name) => File.ReadAllText(Path.Combine(Root, name));

    /// <summary>GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens.</summary>
    private static string Anchor(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    private static HashSet<string> Anchors(string markdown) =>
        markdown.Split('\n').Where(l => l.StartsWith('#') && l.TrimStart('#').StartsWith(' ')).Select(l => Anchor(l.TrimStart('#'))).ToHashSet();

    /// <summary>The README, CONTRIBUTING and every page under docs/: the front door and what stands behind it.</summary>
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md", "CONTRIBUTING.md" };
        foreach (var page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Root, page));
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_and_anchor_leads_somewhere(string document)
    {
        var text = Read(document);
        var folder = Path.GetDirectoryName(document) ?? "";
        foreach (Match link in MarkdownLink().Matches(text))
        {
            var target = link.Groups["target"].Value;
            if (target.StartsWith("http", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
            // Relative to the document's own folder, as GitHub resolves it.
            var path = file.Length == 0 ? document : Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(Root, folder, file)));
            Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{document} links to {target}, which does not exist.");
            if (anchor is not null)
                Assert.True(Anchors(Read(path)).Contains(anchor), $"{document} links to {target}, but {path} has no such heading.");
        }
    }

    [Fact]
    public void The_readme_is_a_front_door_of_at_most_about_400_lines_and_links_every_page_behind_it()
    {
        var readme = Read("README.md");

        Assert.True(readme.Split('\n').Length <= 420, $"README.md has {readme.Split('\n').Length} lines: move detail into docs/.");
        foreach (var page in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"))
            Assert.Contains($"(docs/{Path.GetFileName(page)}", readme);
        foreach (var section in new[] { "## Quick start", "## Which handler, which example", "## Inputs", "## Outputs", "## Status lifecycle", "## Documentation" })
            Assert.Contains(section, readme);
    }

    /// <summary>The README and the pages behind it, as one text: a promise may live on either.</summary>
    private static string Documentation() =>
        string.Join("\n", Documents().Cast<object[]>().Select(row => Read((string)row[0])));

    [Fact]
    public void The_readme_opens_with_contents_and_a_diagram_of_the_whole_flow()
    {
        var readme = Read("README.md");

        Assert.True(readme.IndexOf("## Contents", StringComparison.Ordinal) < readme.IndexOf("## Quick start", StringComparison.Ordinal));
        var diagram = readme[readme.IndexOf("```mermaid", StringComparison.Ordinal)..];
        diagram = diagram[..diagram.IndexOf("\n```\n", StringComparison.Ordinal)];
        foreach (var step in new[] { "Deliverybot", "deployment", "Workflow", "Runner", "success" })
            Assert.Contains(step, diagram);
    }

    [Fact]
    public void The_readme_says_how_to_go_live_and_what_a_run_needs()
    {
        var readme = Documentation();

        foreach (var promise in new[]
                 {
                     "## Your first deployment in five minutes",
                     "gh api repos/OWNER/REPO/deployments -f ref=",
                     "Deployments created with `GITHUB_TOKEN` do **not** trigger `on: deployment`",
                     "**Linux runners only.**",
                     "util-linux",
                     "`setup-node`",
                     "## ssh setup: a deploy key",
                     "examples/kubectl-rbac/rbac.yaml",
                     "--help",
                 })
        {
            Assert.Contains(promise, readme);
        }
    }

    [Fact]
    public void Maintainers_material_lives_in_contributing_and_the_test_command_stays_findable()
    {
        var readme = Read("README.md");
        var contributing = Read("CONTRIBUTING.md");

        foreach (var section in new[] { "## Running the tests", "## The image", "## Performance", "## Releasing" })
        {
            Assert.Contains(section, contributing);
            Assert.DoesNotContain("\n" + section + "\n", readme);
        }

        Assert.Contains("bash tests/run.sh", readme);
        Assert.Contains("bash tests/run.sh", contributing);
        Assert.Contains("exec bash tests/run.sh", Read(".ci/run"));
        // The quick mode for local work is documented where the full command is, and exists.
        Assert.Contains("tests/run.sh --quick", readme);
        Assert.Contains("tests/run.sh --quick", contributing);
        Assert.Contains("  --quick) quick=1 ;;", Read("tests/run.sh"));
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
