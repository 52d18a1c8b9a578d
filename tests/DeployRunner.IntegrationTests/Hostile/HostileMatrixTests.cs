using DeployRunner.IntegrationTests.FirstHour;

namespace DeployRunner.IntegrationTests.Hostile;

/// <summary>
/// Every input that takes a path, every status call and the environment-lock check, through the hostile-input matrix of the
/// test kit (<see cref="HostileMatrix"/>) with the built runner. A new input that takes a path
/// adds its entry to <see cref="HostileMatrix.PathInputs"/> and one theory here; a new case in a
/// catalogue runs through all of them. Known gaps (bugs another change fixes) are skipped by name.
/// </summary>
public sealed class HostileMatrixTests : FakeApiTest
{
    private const string GapSkip = "Known gaps of the hostile-input matrix, not fixed yet: HostileMatrix.KnownGaps lists each case with its reason.";

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(HostileMatrix.Paths), "working-directory", MemberType = typeof(HostileMatrix))]
    public Task Working_directory(string hostile) => HostileRuns.PathCaseAsync(Api, "working-directory", hostile, (sandbox, value) =>
        sandbox.Input("working-directory", value).Input("script", "pwd"));

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(HostileMatrix.Paths), "config", MemberType = typeof(HostileMatrix))]
    public Task Config(string hostile) => HostileRuns.PathCaseAsync(Api, "config", hostile, (sandbox, value) =>
        sandbox.Input("config", value).Input("script", "echo from the inputs"));

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(HostileMatrix.Paths), "manifests", MemberType = typeof(HostileMatrix))]
    public Task Manifests(string hostile) => HostileRuns.PathCaseAsync(Api, "manifests", hostile, (sandbox, value) =>
        Kubectl(sandbox).Input("manifests", value));

    /// <summary>A kustomization in the workspace naming the hostile path as a resource.</summary>
    [Theory(Timeout = 90_000)]
    [MemberData(nameof(HostileMatrix.Paths), "kustomization", MemberType = typeof(HostileMatrix))]
    public Task Kustomization_resources(string hostile) => HostileRuns.PathCaseAsync(Api, "kustomization", hostile, (sandbox, value) =>
    {
        sandbox.WriteWorkspaceFile("kz/kustomization.yaml", $"resources:\n- \"{(Path.IsPathRooted(value) ? value : "../" + value).Replace("\\", "\\\\", StringComparison.Ordinal)}\"\n");
        Kubectl(sandbox).Input("manifests", "kz");
    });

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(HostileMatrix.Paths), "upload", MemberType = typeof(HostileMatrix))]
    public Task Upload(string hostile) => HostileRuns.PathCaseAsync(Api, "upload", hostile, (sandbox, value) =>
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        sandbox.Input("handler", "ssh").Input("dry-run", "true").Input("hosts", "web1.example.com")
            .Input("ssh-key", key).Input("ssh-known-hosts", "web1.example.com " + publicKey)
            .Input("deploy-path", "/srv/app").Input("upload", value).Input("script", "true");
    });

    [Theory(Skip = GapSkip)]
    [MemberData(nameof(HostileMatrix.Gaps), "upload", MemberType = typeof(HostileMatrix))]
    [MemberData(nameof(HostileMatrix.Gaps), "in_progress", MemberType = typeof(HostileMatrix))]
    [MemberData(nameof(HostileMatrix.Gaps), "success", MemberType = typeof(HostileMatrix))]
    public void Known_gaps(string gap) => Assert.Fail(gap);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(HostileMatrix.Answers), "in_progress", MemberType = typeof(HostileMatrix))]
    public Task Answer_to_in_progress(string answer) => HostileRuns.AnswerCaseAsync(Api, "in_progress", answer);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(HostileMatrix.Answers), "success", MemberType = typeof(HostileMatrix))]
    public Task Answer_to_success(string answer) => HostileRuns.AnswerCaseAsync(Api, "success", answer);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(HostileMatrix.Answers), "lock-branch", MemberType = typeof(HostileMatrix))]
    public Task Answer_to_the_lock_branch_check(string answer) => HostileRuns.LockAnswerCaseAsync(Api, "lock-branch", answer);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(HostileMatrix.Answers), "lock-file", MemberType = typeof(HostileMatrix))]
    public Task Answer_to_the_lock_file_read(string answer) => HostileRuns.LockAnswerCaseAsync(Api, "lock-file", answer);

    /// <summary>A kubectl dry run: kubectl builds kustomizations locally, nothing connects to a cluster.</summary>
    private static RunnerSandbox Kubectl(RunnerSandbox sandbox) =>
        sandbox.Input("handler", "kubectl").Input("dry-run", "true").Input("kubeconfig", LocalRun.Kubeconfig());
}
