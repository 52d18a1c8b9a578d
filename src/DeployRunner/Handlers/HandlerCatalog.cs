using DeployRunner.ChildProcesses;

namespace DeployRunner.Handlers;

/// <summary>
/// The handlers' definitions. Each handler folder registers its own
/// (<c>[ModuleInitializer]</c> in its <c>*Definition.cs</c>, run before any code of the runner),
/// so adding a handler touches its folder and nothing central.
/// </summary>
internal static class HandlerCatalog
{
    private static readonly List<HandlerDefinition> Registered = [];

    /// <summary>The definitions, by name (a stable order, whichever folder registered first).</summary>
    public static IReadOnlyList<HandlerDefinition> All => Registered;

    public static IEnumerable<string> Names => Registered.Select(d => d.Name);

    /// <summary>Called once per handler folder, from its module initializer.</summary>
    internal static void Register(HandlerDefinition definition)
    {
        if (Registered.Any(d => d.Name == definition.Name))
            throw new InvalidOperationException($"Two handlers are named '{definition.Name}'.");
        Registered.Add(definition);
        Registered.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    public static HandlerDefinition? Find(string name) =>
        Registered.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates the named handler (see the other overload).</summary>
    public static IDeploymentHandler Create(string name, Inputs.InputSet settings, HandlerContext context)
    {
        var definition = Find(name) ?? throw new ConfigurationException(
            $"Unknown handler '{name}'. Set input `handler` to one of: {string.Join(", ", Names)}.", setting: "handler");
        return Create(definition, settings, context);
    }

    /// <summary>
    /// Creates a handler with what every handler gets, from what its definition declares (a
    /// factory cannot forget any of it): <c>atomic</c> refused unless the handler reads it; the
    /// handler reads and checks its own inputs; the health check wrapped around it unless it
    /// checks each target itself; then the programs it needs are looked for on PATH (inputs
    /// first, so a user fixes their own mistakes before the machine's).
    /// </summary>
    public static IDeploymentHandler Create(HandlerDefinition definition, Inputs.InputSet settings, HandlerContext context)
    {
        AtomicInput.RefuseUnlessRead(definition, settings);
        var created = definition.Create(settings, context);
        IDeploymentHandler handler;
        try
        {
            handler = definition.ChecksHealthItself(settings) ? created : Health.HealthCheckedHandler.Wrap(created, settings, context);
            Prerequisites.Require(definition.Name, context.Environment.Variables, [.. definition.Programs]);
        }
        catch
        {
            (created as IDisposable)?.Dispose();
            throw;
        }

        return handler;
    }
}
