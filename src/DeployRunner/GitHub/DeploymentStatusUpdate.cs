namespace DeployRunner.GitHub;

/// <summary>One status to post on a deployment.</summary>
internal sealed record DeploymentStatusUpdate(
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
