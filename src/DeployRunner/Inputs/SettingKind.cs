namespace DeployRunner.Inputs;

/// <summary>What a setting holds, which decides where it may come from and what is checked.</summary>
internal enum SettingKind
{
    /// <summary>One line of text; placeholders are substituted.</summary>
    Text,

    /// <summary>A path inside the workspace; placeholders are substituted.</summary>
    Path,

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
