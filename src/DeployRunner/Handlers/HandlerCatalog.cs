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

    /// <summary>
    /// Secret inputs that are whole documents whose handler masks the credentials inside them.
    /// Masking such a document line by line would register lines like <c>kind: Config</c> with
    /// the Actions runner, which then hides them everywhere in the job log.
    /// </summary>
    public static readonly IReadOnlyList<string> DocumentSecretInputs = ["kubeconfig"];

    /// <summary>Registers every secret input with the log before anything else is printed.</summary>
    public static void MaskSecrets(InputSet inputs, Workflow.IWorkflowLog log)
    {
        foreach (var name in SecretInputs)
        {
            if (inputs.GetRaw(name) is not { } secret) continue;
            log.Mask(secret, eachLine: !DocumentSecretInputs.Contains(name));
        }
    }

    private static HandlerContext Prerequisites(HandlerContext context, string handler, params string[] programs)
    {
        Running.Prerequisites.Require(handler, context.JobEnvironment, programs);
        return context;
    }

    /// <summary>With releases the ssh handler checks health per server (between switch and rollback); without, once, like shell.</summary>
    private static IDeploymentHandler CreateSsh(InputSet inputs, HandlerContext context)
    {
        var settings = SshSettings.From(inputs);
        var handler = new SshHandler(settings, context);
        return settings.Releases is null ? Health.HealthCheckedHandler.Wrap(handler, inputs, context) : handler;
    }

    public static IDeploymentHandler Create(string name, InputSet settings, HandlerContext context) => name switch
    {
        "shell" => Health.HealthCheckedHandler.Wrap(new ShellHandler(Prerequisites(context, "shell", "bash", "setsid")), settings, context),
        "ssh" => CreateSsh(settings, context),
        "kubectl" => Health.HealthCheckedHandler.Wrap(new KubectlHandler(settings, context), settings, context),
        _ => throw new ConfigurationException(
            $"Unknown handler '{name}'. Set input `handler` to one of: {string.Join(", ", Names)}."),
    };
}
