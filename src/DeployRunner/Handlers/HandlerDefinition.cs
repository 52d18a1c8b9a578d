using DeployRunner.Inputs;

namespace DeployRunner.Handlers;

/// <summary>
/// Everything the rest of the runner knows about one handler, declared in the handler's own
/// folder: its name, the inputs it reads (and which are secrets, paths, durations), the programs
/// it needs on PATH, and how to create it. Creating reads and checks its inputs, so a bad input
/// is found before any status is posted or anything runs.
/// </summary>
internal sealed record HandlerDefinition(
    string Name,
    IReadOnlyList<SettingDefinition> Inputs,
    IReadOnlyList<string> Programs,
    Func<InputSet, HandlerContext, IDeploymentHandler> Create);
