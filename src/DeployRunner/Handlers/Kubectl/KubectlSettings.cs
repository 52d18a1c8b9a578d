using System.Text.RegularExpressions;
using DeployRunner.ChildProcesses;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>
/// The kubectl handler's inputs, read and checked before any status is posted: a bad value is
/// one clear configuration error and nothing is applied.
/// </summary>
internal sealed partial record KubectlSettings(
    Kubeconfig Kubeconfig,
    string? Namespace,
    IReadOnlyList<ManifestSource> Manifests,
    IReadOnlyList<ImageOverride> Images,
    TimeSpan RolloutTimeout,
    bool RemoveNamespace,
    string KubectlPath,
    bool Atomic = false)
{
    public static readonly TimeSpan DefaultRolloutTimeout = TimeSpan.FromMinutes(5);

    public static KubectlSettings From(InputSet inputs, string workspace, IReadOnlyDictionary<string, string> jobEnvironment, CancellationToken cancellationToken = default)
    {
        var kubeconfigText = inputs.GetRaw("kubeconfig")
            ?? throw new ConfigurationException("Input `kubeconfig` is required by the kubectl handler. Store the cluster's kubeconfig as a secret and pass it: `kubeconfig: ${{ secrets.KUBECONFIG }}`.", setting: "kubeconfig");
        var kubeconfig = Kubeconfig.Parse(kubeconfigText, inputs.Get("kube-context"));

        var ns = inputs.Get("namespace");
        if (ns is not null && !IsDnsLabel(ns))
            throw new ConfigurationException($"Input `namespace` '{ns}' is not a valid namespace name: at most 63 characters, lower-case letters, digits and '-', starting and ending with a letter or digit (such as `pr-42`).", setting: "namespace");

        var removeNamespace = inputs.GetBool("remove-namespace", false);
        if (removeNamespace && ns is null)
            throw new ConfigurationException("Input `remove-namespace` is true but `namespace` is empty: name the namespace to remove.", setting: "remove-namespace");

        var allowRemote = inputs.GetBool("kustomize-remote", false);
        var manifests = ManifestSource.Resolve(inputs.GetList("manifests"), workspace, cancellationToken)
            .Select(s => s.IsKustomization ? s with { RemoteReferences = KustomizationCheck.Check(s.Path, workspace, allowRemote) } : s)
            .ToList();
        if (manifests.Count == 0 && !removeNamespace)
            throw new ConfigurationException("Input `manifests` is required by the kubectl handler: files, folders or globs, one per line, relative to the workspace (such as `k8s/`).", setting: "manifests");

        // Plain files are read now, so that invalid YAML stops the run before anything happens;
        // kustomizations can only be built by kubectl, at run time.
        foreach (var source in manifests.Where(s => !s.IsKustomization))
            _ = Kubectl.Manifests.Read(YamlLimits.ReadFile(source.Path, Path.GetRelativePath(workspace, source.Path)), Path.GetRelativePath(workspace, source.Path));

        return new KubectlSettings(
            kubeconfig,
            ns,
            manifests,
            ImageOverride.ParseAll(inputs.GetList("images")),
            inputs.GetDuration("rollout-timeout", DefaultRolloutTimeout),
            removeNamespace,
            FindKubectl(jobEnvironment),
            inputs.GetBool("atomic", false));
    }

    /// <summary>A DNS-1123 label, as Kubernetes requires of namespace names.</summary>
    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    /// <summary>kubectl's full path; when it is missing, the catalog's check of the definition's programs says so.</summary>
    private static string FindKubectl(IReadOnlyDictionary<string, string> environment) =>
        Prerequisites.Find("kubectl", environment) ?? "kubectl";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex DnsLabel();
}
