using DeployRunner.Inputs;

namespace DeployRunner.Handlers;

/// <summary>
/// Input <c>atomic</c> promises a rollback. Set to <c>true</c> for a handler that does not read it
/// (does not list it among its inputs), it would promise a rollback that nothing does, so it is
/// refused there (its default, <c>false</c>, which the Actions runner always passes, is fine).
/// </summary>
internal static class AtomicInput
{
    public const string Name = "atomic";

    public static void RefuseUnlessRead(HandlerDefinition definition, InputSet inputs)
    {
        if (!definition.Reads(Name) && inputs.GetBool(Name, false))
        {
            var readers = HandlerCatalog.All.Where(d => d.Reads(Name)).Select(d => d.Name).ToList();
            var readBy = readers.Count == 0 ? "no handler" : $"the {string.Join(" and ", readers)} handler{(readers.Count == 1 ? "" : "s")} only";
            throw new ConfigurationException($"Input `atomic` is read by {readBy}; the {definition.Name} handler would ignore it. {definition.InsteadOfAtomic}", setting: Name);
        }
    }
}
