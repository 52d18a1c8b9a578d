namespace DeployRunner.GitHub;

/// <summary>The states a deployment status can take (REST API, 2022-11-28).</summary>
public enum DeploymentState
{
    Queued,
    Pending,
    InProgress,
    Success,
    Failure,
    Error,
    Inactive,
}

public static class DeploymentStates
{
    public static string ToApiName(this DeploymentState state) => state switch
    {
        DeploymentState.Queued => "queued",
        DeploymentState.Pending => "pending",
        DeploymentState.InProgress => "in_progress",
        DeploymentState.Success => "success",
        DeploymentState.Failure => "failure",
        DeploymentState.Error => "error",
        DeploymentState.Inactive => "inactive",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static DeploymentState? FromApiName(string? name) => name switch
    {
        "queued" => DeploymentState.Queued,
        "pending" => DeploymentState.Pending,
        "in_progress" => DeploymentState.InProgress,
        "success" => DeploymentState.Success,
        "failure" => DeploymentState.Failure,
        "error" => DeploymentState.Error,
        "inactive" => DeploymentState.Inactive,
        _ => null,
    };

    public static bool IsTerminal(this DeploymentState state) =>
        state is DeploymentState.Success or DeploymentState.Failure or DeploymentState.Error or DeploymentState.Inactive;
}

/// <summary>One status to post on a deployment.</summary>
public sealed record DeploymentStatusUpdate(
    DeploymentState State,
    string Description,
    string? LogUrl,
    string? EnvironmentUrl = null,
    bool? AutoInactive = null)
{
    /// <summary>The API answers 422 to a longer description.</summary>
    public const int MaxDescriptionLength = 140;

    public string Description { get; init; } = Shorten(Description);

    /// <summary>The description before the API's cut: a local run prints it whole.</summary>
    public string FullDescription { get; } = Description.ReplaceLineEndings(" ").Trim();

    /// <summary>Cuts text to the API's limit, on a character boundary, marking the cut.</summary>
    public static string Shorten(string text, int max = MaxDescriptionLength)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        if (text.Length <= max) return text;
        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return text[..cut] + "…";
    }
}
