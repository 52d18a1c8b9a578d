using YamlDotNet.RepresentationModel;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>One object from the manifests: what kubectl will apply, kept as its YAML tree.</summary>
internal sealed record KubernetesObject(string ApiVersion, string Kind, string Name, string? Namespace, YamlMappingNode Node, string Source)
{
    /// <summary>How kubectl names it: <c>deployment/web</c>.</summary>
    public string Reference => $"{Kind.ToLowerInvariant()}/{Name}";

    /// <summary>Workloads whose rollout kubectl can wait for.</summary>
    public bool HasRollout => ApiVersion.StartsWith("apps/", StringComparison.Ordinal) && Kind is "Deployment" or "StatefulSet" or "DaemonSet";
}
