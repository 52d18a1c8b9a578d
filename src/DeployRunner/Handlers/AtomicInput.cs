using DeployRunner.Inputs;

namespace DeployRunner.Handlers;

/// <summary>
/// Input <c>atomic</c> belongs to the kubectl handler. Set to <c>true</c> for another handler it
/// would promise a rollback that nothing does, so it is refused there (its default, <c>false</c>,
/// which the Actions runner always passes, is fine).
/// </summary>
internal static class AtomicInput
{
    public static void RefuseFor(string handler, InputSet inputs, string instead)
    {
        if (inputs.GetBool("atomic", false))
            throw new ConfigurationException($"Input `atomic` is read by the kubectl handler only; the {handler} handler would ignore it. {instead}", setting: "atomic");
    }
}
