using System.Runtime.CompilerServices;

namespace DeployRunner.Handlers.Shell;

/// <summary>The shell handler: reads no input of its own (script and working directory are core settings).</summary>
internal static class ShellDefinition
{
    public static readonly HandlerDefinition Definition = new(
        Name: "shell",
        Inputs: [],
        Programs: ["bash", "setsid"],
        Create: (_, context) => new ShellHandler(context))
    {
        InsteadOfAtomic = "Remove it; a `rollback` deployment runs your script with DEPLOY_TASK=rollback.",
    };

    [ModuleInitializer]
    internal static void Register() => HandlerCatalog.Register(Definition);
}
