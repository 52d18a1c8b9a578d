using DeployRunner.Handlers.Kubectl;
using DeployRunner.Handlers.Shell;
using DeployRunner.Handlers.Ssh;
using DeployRunner.Inputs;

namespace DeployRunner.Handlers;

/// <summary>
/// The handlers by name. Creating one reads and checks its inputs, so a bad input is found
/// before any status is posted or anything runs.
/// </summary>
public static class HandlerCatalog
{
    public static readonly IReadOnlyList<string> Names = ["shell", "ssh", "kubectl"];

    /// <summary>Inputs that hold secrets: masked before anything is printed.</summary>
    public static readonly IReadOnlyList<string> SecretInputs = ["token", "ssh-key", "ssh-passphrase", "kubeconfig"];

    public static IDeploymentHandler Create(string name, InputSet settings, HandlerContext context) => name switch
    {
        "shell" => new ShellHandler(context),
        "ssh" => new SshHandler(SshSettings.From(settings), context),
        "kubectl" => new KubectlHandler(settings, context),
        _ => throw new ConfigurationException(
            $"Unknown handler '{name}'. Set input `handler` to one of: {string.Join(", ", Names)}."),
    };
}
