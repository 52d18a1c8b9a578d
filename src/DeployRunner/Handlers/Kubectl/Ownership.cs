namespace DeployRunner.Handlers.Kubectl;

/// <summary>How an object relates to the environment being deployed or removed.</summary>
internal enum Ownership
{
    /// <summary>It carries this runner's mark for this exact environment.</summary>
    Ours,

    /// <summary>This runner made it, for another environment.</summary>
    AnotherEnvironment,

    /// <summary>It lacks the mark: someone else made it, or it predates marking (adopt it explicitly).</summary>
    NotOurs,
}
