using System.Globalization;
using System.Reflection;
using System.Text;
using DeployRunner.Configuration;
using DeployRunner.Handlers;
using DeployRunner.Inputs;

namespace DeployRunner.Edge;

/// <summary>
/// The command line for local use: <c>--event PATH</c> and any input of action.yml as
/// <c>--name value</c>. A flag action.yml does not declare, or one without its value, is an
/// error: a typo must never run a deployment with the input silently left out.
/// </summary>
internal static class CommandLine
{
    /// <summary>The name the image gives the program for action.yml's <c>post-entrypoint</c>.</summary>
    public const string PostStepName = "deploy-runner-post";

    /// <summary>Deployment fields the event decides; they are refused as flags with how to change them.</summary>
    private static readonly string[] EventFields = ["task", "environment", "sha", "payload", "transient-environment", "production-environment"];

    /// <summary>Started as the post step: invoked as <see cref="PostStepName"/>, or with <c>--post</c> first.</summary>
    public static bool IsPostStep(string? invokedAs, IReadOnlyList<string> arguments) =>
        (invokedAs is not null && Path.GetFileName(invokedAs) == PostStepName)
        || (arguments.Count > 0 && arguments[0] == "--post");

    public static string Version
    {
        get
        {
            var version = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            return $"Deliverybot Runner {version}";
        }
    }

    public static Invocation Parse(IReadOnlyList<string> arguments)
    {
        if (arguments.Count > 0 && arguments[0] is "help" or "--help" or "-h") return new Invocation.ShowHelp();
        if (arguments.Count > 0 && arguments[0] is "version" or "--version" or "-V") return new Invocation.ShowVersion();

        string? eventPath = null;
        var inputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument is "--help" or "-h") return new Invocation.ShowHelp();
            if (argument is "--version") return new Invocation.ShowVersion();
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length < 3)
                throw new ConfigurationException($"Unexpected argument '{argument}': inputs are given as --name value (for example --script ./deploy.sh). Run with --help for every input.");

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = (equals > 0 ? argument[2..equals] : argument[2..]).ToLowerInvariant();
            string? value = equals > 0 ? argument[(equals + 1)..] : null;
            if (value is null && i + 1 < arguments.Count && !IsOptionName(arguments[i + 1])) value = arguments[++i];

            if (name == "event")
            {
                eventPath = value is { Length: > 0 } ? value : throw new ConfigurationException("--event needs a path to a deployment event file, such as --event examples/events/deploy.json.");
                continue;
            }

            var input = ActionInputs.Find(name) ?? throw Unknown(name);
            if (string.IsNullOrEmpty(value))
            {
                value = input.IsSwitch
                    ? "true"
                    : throw new ConfigurationException($"--{input.Name} needs a value, such as --{input.Name} {Example(input)}. {input.Summary}", setting: input.Name);
            }

            inputs[input.Name] = value;
        }

        return new Invocation.Run(eventPath, inputs);
    }

    /// <summary><c>--name</c>, as opposed to a value that merely starts with dashes (a private key's <c>-----BEGIN</c> line).</summary>
    private static bool IsOptionName(string argument) =>
        argument.Length > 2 && argument.StartsWith("--", StringComparison.Ordinal) && char.IsAsciiLetter(argument[2]);

    private static ConfigurationException Unknown(string name)
    {
        if (EventFields.Contains(name))
        {
            return new ConfigurationException(
                $"--{name} is not an input: the deployment event decides the {name}, and a flag cannot change it. "
                + "Edit a copy of the event file (its `deployment` object), for example examples/events/remove-review-app.json for a `remove` task, and pass it with --event.");
        }

        var candidates = ActionInputs.All.Select(i => i.Name).Append("event").Append("help").Append("version");
        var suggestion = candidates
            .Select(candidate => (Candidate: candidate, Distance: NearestName.EditDistance(name, candidate)))
            .Where(c => c.Distance <= Math.Max(2, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .FirstOrDefault();
        return new ConfigurationException(
            $"Unknown option --{name}" + (suggestion is null ? "." : $": did you mean --{suggestion}?") + " Run with --help for every input.");
    }

    private static string Example(ActionInput input) => input.Name switch
    {
        "script" or "remove-script" => "./deploy.sh",
        "hosts" => "web1.example.com",
        "manifests" => "k8s/",
        _ => input.Default.Length > 0 && !input.Default.Contains("${{", StringComparison.Ordinal) ? input.Default : "VALUE",
    };

    /// <summary>
    /// The help text: usage, then every input of action.yml grouped by what reads it (the core
    /// settings, then each handler's definition), with its default and one line of meaning. A
    /// secret is shown as its <c>INPUT_</c> variable: a flag's value is visible to every user of
    /// the machine in the process list, and a name with a hyphen cannot be <c>export</c>ed in bash.
    /// </summary>
    public static string Help()
    {
        var builder = new StringBuilder();
        builder.AppendLine(CultureInfo.InvariantCulture, $"{Version}: runs a GitHub deployment and reports its statuses.");
        builder.AppendLine();
        builder.AppendLine("Usage: deploy-runner --event PATH [--<input> VALUE]...");
        builder.AppendLine("       deploy-runner --help | --version");
        builder.AppendLine();
        builder.AppendLine("  --event PATH            the deployment event (default: $GITHUB_EVENT_PATH), e.g. examples/events/deploy.json");
        builder.AppendLine("  --help, help            this text");
        builder.AppendLine("  --version               the runner's version");
        builder.AppendLine();
        builder.AppendLine("Every input of action.yml is a flag (a workflow passes them under `with:`). The event decides the");
        builder.AppendLine("task, the environment and the ref. Without a token and outside GitHub Actions, statuses are printed,");
        builder.AppendLine("not posted, and secrets are shown as ***.");
        builder.AppendLine();
        builder.AppendLine("Secrets (marked `secret:`) go in as environment variables, not flags: others can read a flag in the");
        builder.AppendLine("process list. Their names hold a hyphen, which bash's `export` refuses, so use env:");
        builder.AppendLine("  env \"INPUT_SSH-KEY=$(cat ~/.ssh/deploy_key)\" deploy-runner --event PATH ...");

        foreach (var (header, inputs) in HelpGroups())
        {
            builder.AppendLine();
            builder.AppendLine(header);
            foreach (var input in inputs)
            {
                var flag = SettingCatalog.IsSecret(input.Name)
                    ? $"secret: INPUT_{input.Name.ToUpperInvariant()}"
                    : input.IsSwitch ? $"--{input.Name}" : $"--{input.Name} VALUE";
                var defaultText = input.Default.Length == 0 ? "none" : input.Default;
                builder.AppendLine(CultureInfo.InvariantCulture, $"  {flag,-30} {input.Summary} (default: {defaultText})");
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The inputs of action.yml (in its order) under who reads them: the settings every handler
    /// shares, then each handler's own, from its definition. An input two handlers read is listed
    /// under each.
    /// </summary>
    public static IEnumerable<(string Header, IReadOnlyList<ActionInput> Inputs)> HelpGroups()
    {
        static IReadOnlyList<ActionInput> Declared(IEnumerable<SettingDefinition> settings)
        {
            var names = settings.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return [.. ActionInputs.All.Where(i => names.Contains(i.Name))];
        }

        var ownedByAHandler = HandlerCatalog.All.SelectMany(h => h.Inputs).Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        yield return ("Inputs for every handler:", [.. ActionInputs.All.Where(i => !ownedByAHandler.Contains(i.Name))]);
        foreach (var definition in HandlerCatalog.All)
        {
            var inputs = Declared(definition.Inputs);
            if (inputs.Count > 0) yield return ($"{definition.Name} handler:", inputs);
        }
    }
}
