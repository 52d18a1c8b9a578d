namespace DeployRunner.Configuration;

/// <summary>What a setting holds, which decides where it may come from and what is checked.</summary>
public enum SettingKind
{
    /// <summary>One line of text; placeholders are substituted.</summary>
    Text,

    /// <summary>Items, one per line (a YAML sequence or a payload array is joined with newlines); placeholders are substituted.</summary>
    List,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A duration such as <c>90s</c>, <c>15m</c>, <c>1h30m</c>.</summary>
    Duration,

    /// <summary>A handler name from the catalog.</summary>
    Handler,

    /// <summary>Bash code. Never substituted: values reach scripts as <c>DEPLOY_*</c> variables, never as script text.</summary>
    Script,

    /// <summary>A secret: from action inputs only, never from the file or the payload.</summary>
    Secret,

    /// <summary>Decides how the workflow step itself behaves (which file, which overrides): inputs only.</summary>
    WorkflowOnly,
}

/// <summary>
/// Every action input and where it may be set. A target's <c>runner:</c> block and the payload
/// (through <c>payload-overrides</c>) may set the settings; secrets and workflow-only inputs come
/// from the workflow alone. A test checks that every input in action.yml is listed here, so a
/// new input has to decide where it may come from.
/// </summary>
public static class SettingCatalog
{
    /// <summary>
    /// Secrets named by the handlers' issues (ssh, kubectl) are listed even before those
    /// handlers exist, so that a file can never carry one, whichever branch lands first.
    /// </summary>
    private static readonly string[] KnownSecrets = ["token", "ssh-key", "ssh-passphrase", "kubeconfig"];

    public static readonly IReadOnlyDictionary<string, SettingKind> Kinds = BuildKinds();

    /// <summary>Settings a <c>runner:</c> block or the payload may set, in a stable order.</summary>
    public static IEnumerable<string> ConfigurableNames =>
        Kinds.Where(k => k.Value is not (SettingKind.Secret or SettingKind.WorkflowOnly)).Select(k => k.Key).Order(StringComparer.Ordinal);

    public static SettingKind? KindOf(string name) => Kinds.TryGetValue(name, out var kind) ? kind : null;

    public static bool IsSecret(string name) =>
        KindOf(name) == SettingKind.Secret || Handlers.HandlerCatalog.SecretInputs.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, SettingKind> BuildKinds()
    {
        var kinds = new Dictionary<string, SettingKind>(StringComparer.OrdinalIgnoreCase)
        {
            // The core (issue 2).
            ["handler"] = SettingKind.Handler,
            ["script"] = SettingKind.Script,
            ["remove-script"] = SettingKind.Script,
            ["working-directory"] = SettingKind.Text,
            ["environment-url"] = SettingKind.Text,
            ["timeout"] = SettingKind.Duration,
            ["dry-run"] = SettingKind.WorkflowOnly,

            // Environments (issue 6).
            ["config"] = SettingKind.WorkflowOnly,
            ["payload-overrides"] = SettingKind.WorkflowOnly,
            ["deployment-id"] = SettingKind.WorkflowOnly,
            ["skip-superseded"] = SettingKind.Boolean,

            // The ssh handler (issue 3).
            ["hosts"] = SettingKind.List,
            ["ssh-user"] = SettingKind.Text,
            ["ssh-port"] = SettingKind.Text,
            ["ssh-known-hosts"] = SettingKind.List,
            ["ssh-fingerprints"] = SettingKind.List,
            ["ssh-strict"] = SettingKind.Boolean,
            ["ssh-jump-host"] = SettingKind.Text,
            ["max-parallel"] = SettingKind.Text,
            ["fail-fast"] = SettingKind.Boolean,
            ["connect-timeout"] = SettingKind.Duration,

            // Releases for the ssh handler, health checks for every handler (issue 14).
            ["deploy-path"] = SettingKind.Text,
            ["upload"] = SettingKind.List,
            ["after-switch"] = SettingKind.Script,
            ["keep-releases"] = SettingKind.Text,
            ["auto-rollback"] = SettingKind.Boolean,
            ["health-check-url"] = SettingKind.Text,
            ["health-check-timeout"] = SettingKind.Duration,

            // The kubectl handler (issue 4).
            ["kube-context"] = SettingKind.Text,
            ["namespace"] = SettingKind.Text,
            ["manifests"] = SettingKind.List,
            ["images"] = SettingKind.List,
            ["rollout-timeout"] = SettingKind.Duration,
            ["remove-namespace"] = SettingKind.Boolean,
            ["atomic"] = SettingKind.Boolean,

            // Removal safety (issue 9): whoever can create a deployment must not opt in for the workflow.
            ["remove-non-transient"] = SettingKind.WorkflowOnly,
        };

        foreach (var secret in KnownSecrets.Concat(Handlers.HandlerCatalog.SecretInputs))
            kinds[secret] = SettingKind.Secret;
        return kinds;
    }
}
