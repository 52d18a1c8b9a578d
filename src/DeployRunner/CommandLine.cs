namespace DeployRunner;

/// <summary>The command line for local use: <c>--event PATH</c> and any input as <c>--name value</c>.</summary>
internal static class CommandLine
{
    public const string Help = """
        Deliverybot Runner: runs a GitHub deployment and reports its statuses.

        Usage: DeployRunner [--event PATH] [--<input> VALUE]...

          --event PATH    the deployment event (default: $GITHUB_EVENT_PATH)
          --<input> VALUE any action input, e.g. --script ./deploy.sh --handler shell --dry-run true

        Without a token and outside GitHub Actions, statuses are printed instead of posted.
        """;

    /// <summary>The name the image gives the program for action.yml's <c>post-entrypoint</c>.</summary>
    public const string PostStepName = "deploy-runner-post";

    /// <summary>Started as the post step: invoked as <see cref="PostStepName"/>, or with <c>--post</c> first.</summary>
    public static bool IsPostStep(string? invokedAs, IReadOnlyList<string> arguments) =>
        (invokedAs is not null && Path.GetFileName(invokedAs) == PostStepName)
        || (arguments.Count > 0 && arguments[0] == "--post");

    /// <summary>Takes <c>--event PATH</c> (or <c>--help</c>) out of the arguments; the rest are inputs.</summary>
    public static (string? EventPath, List<string> Inputs) Split(IReadOnlyList<string> arguments)
    {
        string? eventPath = null;
        var rest = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is "--help" or "-h") return ("--help", rest);
            if (arguments[i] == "--event")
            {
                if (i + 1 >= arguments.Count) throw new ConfigurationException("--event needs a path to a deployment event file.");
                eventPath = arguments[++i];
            }
            else if (arguments[i].StartsWith("--event=", StringComparison.Ordinal))
            {
                eventPath = arguments[i]["--event=".Length..];
            }
            else
            {
                rest.Add(arguments[i]);
            }
        }

        return (eventPath, rest);
    }
}
