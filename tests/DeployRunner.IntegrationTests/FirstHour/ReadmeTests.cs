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

    [Theory]
    [InlineData("README.md")]
    [InlineData("CONTRIBUTING.md")]
    public void Every_relative_link_and_anchor_leads_somewhere(string document)
    {
        var text = Read(document);
        foreach (Match link in MarkdownLink().Matches(text))
        {
            var target = link.Groups["target"].Value;
            if (target.StartsWith("http", StringComparison.Ordinal)) continue;
            var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
            var path = file.Length == 0 ? document : file;
            Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{document} links to {target}, which does not exist.");
            if (anchor is not null)
                Assert.True(Anchors(Read(path)).Contains(anchor), $"{document} links to {target}, but {path} has no such heading.");
        }
    }

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
        var readme = Read("README.md");

        foreach (var promise in new[]
                 {
                     "## Your first deployment in five minutes",
                     "gh api repos/OWNER/REPO/deployments -f ref=",
                     "Deployments created with `GITHUB_TOKEN` do **not** trigger `on: deployment`",
                     "**Linux runners only.**",
                     "util-linux",
                     "`setup-node`",
                     "#### ssh setup: a deploy key",
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
