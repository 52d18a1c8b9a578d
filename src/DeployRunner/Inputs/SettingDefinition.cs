namespace DeployRunner.Inputs;

/// <summary>
/// One action input and what it holds. The core settings and each handler's definition list
/// theirs; the settings system is their union (<see cref="Configuration.SettingCatalog"/>).
/// </summary>
/// <param name="MaskedWhole">
/// For a secret that is a whole document whose handler masks the credentials inside it (a
/// kubeconfig): masking it line by line would register lines like <c>kind: Config</c> with the
/// Actions runner, which then hides them everywhere in the job log.
/// </param>
internal sealed record SettingDefinition(string Name, SettingKind Kind, bool MaskedWhole = false)
{
    public bool IsSecret => Kind == SettingKind.Secret;
}
