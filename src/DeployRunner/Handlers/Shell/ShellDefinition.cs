using System.Runtime.CompilerServices;

namespace DeployRunner.Handlers.Shell;

/// <summary>The shell handler: reads no input of its own (script and working directory are core settings).</summary>
internal static class ShellDefinition
{
    public static readonly HandlerDefinition Definition = new(
        Name: "shell",
        Inputs: [],
        Programs: ["bash", "setsid"],
        Create: (settings, context) =>
        {
            AtomicInput.RefuseFor("shell", settings, "Remove it; a `rollback` deployment runs your script with DEPLOY_TASK=rollback.");
            return Health.HealthCheckedHandler.Wrap(new ShellHandler(context), settings, context);
        });

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
