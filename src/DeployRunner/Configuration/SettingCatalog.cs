using DeployRunner.Handlers;
using DeployRunner.Inputs;
using DeployRunner.Workflow;

namespace DeployRunner.Configuration;

/// <summary>
/// Every action input and where it may be set: the core settings below plus the union of the
/// handlers' inputs (each declared in its handler's folder, <see cref="HandlerDefinition"/>). A
/// target's <c>runner:</c> block and the payload (through <c>payload-overrides</c>) may set the
/// settings; secrets and workflow-only inputs come from the workflow alone. A test checks that
/// every input in action.yml is known here, so a new input has to decide where it may come from.
/// </summary>
internal static class SettingCatalog
{
    /// <summary>The settings every handler shares, read by the edge and the planner.</summary>
    public static readonly IReadOnlyList<SettingDefinition> Core =
    [
        new("token", SettingKind.Secret),
        new("handler", SettingKind.Handler),
        new("script", SettingKind.Script),
        new("remove-script", SettingKind.Script),
        new("working-directory", SettingKind.Path),
        new("environment-url", SettingKind.Text),
        new("timeout", SettingKind.Duration),
        new("skip-superseded", SettingKind.Boolean),
        // A health check after the deployment, for every handler (the ssh handler with releases checks per server).
        new("health-check-url", SettingKind.Text),
        new("health-check-timeout", SettingKind.Duration),
        new("dry-run", SettingKind.WorkflowOnly),
        new("config", SettingKind.WorkflowOnly),
        new("payload-overrides", SettingKind.WorkflowOnly),
        new("deployment-id", SettingKind.WorkflowOnly),
        // Which deployment the runner creates: the workflow decides, never a file or a payload.
        new("target", SettingKind.WorkflowOnly),
        new("ref", SettingKind.WorkflowOnly),
        // Removal safety: whoever can create a deployment must not opt in for the workflow.
        new("remove-non-transient", SettingKind.WorkflowOnly),
    ];

    /// <summary>The core settings and every handler's inputs (a name two handlers share is one setting).</summary>
    public static readonly IReadOnlyList<SettingDefinition> All = Core
        .Concat(HandlerCatalog.All.SelectMany(h => h.Inputs))
        .DistinctBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
        .ToList();

    public static readonly IReadOnlyDictionary<string, SettingKind> Kinds =
        All.ToDictionary(s => s.Name, s => s.Kind, StringComparer.OrdinalIgnoreCase);

    /// <summary>Inputs that hold secrets: masked before anything is printed, never read from a file or the payload.</summary>
    public static IEnumerable<SettingDefinition> Secrets => All.Where(s => s.IsSecret);

    /// <summary>Settings a <c>runner:</c> block or the payload may set, in a stable order.</summary>
    public static IEnumerable<string> ConfigurableNames =>
        Kinds.Where(k => k.Value is not (SettingKind.Secret or SettingKind.WorkflowOnly)).Select(k => k.Key).Order(StringComparer.Ordinal);

    public static SettingKind? KindOf(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;

    public static bool IsSecret(string name) => KindOf(name) == SettingKind.Secret;

    /// <summary>Registers every secret input with the log before anything else is printed.</summary>
    public static void MaskSecrets(InputSet inputs, IWorkflowLog log)
    {
        foreach (var secret in Secrets)
        {
            if (inputs.GetRaw(secret.Name) is not { } value) continue;
            log.Mask(value, eachLine: !secret.MaskedWhole);
        }
    }
}
