using System.Runtime.CompilerServices;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers.Kubectl;

/// <summary>The kubectl handler's name, inputs, programs and factory.</summary>
internal static class KubectlDefinition
{
    public static readonly HandlerDefinition Definition = new(
        Name: "kubectl",
        Inputs:
        [
            // The handler masks the credentials inside it (KubectlHandler's constructor).
            new("kubeconfig", SettingKind.Secret, MaskedWhole: true),
            new("kube-context", SettingKind.Text),
            new("namespace", SettingKind.Text),
            new("manifests", SettingKind.List),
            new("images", SettingKind.List),
            new("rollout-timeout", SettingKind.Duration),
            new("remove-namespace", SettingKind.Boolean),
            // Roll back to what was there when a deployment fails.
            new("atomic", SettingKind.Boolean),
            // Let kustomizations fetch remote bases and files (http, git); off, they stay in the workspace.
            new("kustomize-remote", SettingKind.Boolean),
        ],
        Programs: ["kubectl", "setsid"],
        Create: (settings, context) => new KubectlHandler(settings, context));

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
