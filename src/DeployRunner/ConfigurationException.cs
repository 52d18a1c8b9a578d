namespace DeployRunner;

/// <summary>
/// The user gave the runner something it cannot work with (a malformed event, a missing or bad
/// input, an unknown handler). The message is shown as one <c>::error::</c> line and must say
/// what is wrong and how to fix it; it must never contain a secret.
/// </summary>
/// <param name="setting">
/// The setting the error is about (<c>timeout</c>, <c>hosts</c>), or null when it is about no one
/// setting (the event, the machine, a manifest file). <see cref="Configuration.EffectiveSettings.Explain"/>
/// uses it to say where that setting's value came from (a line of deploy.yml, the payload).
/// </param>
internal sealed class ConfigurationException(string message, Exception? inner = null, string? setting = null)
    : DeployRunnerException(message, inner)
{
    public string? Setting { get; } = setting;

    /// <summary>The problems a combined error lists, each with its own setting; empty for a single error.</summary>
    public IReadOnlyList<ConfigurationException> Problems { get; private init; } = [];

    private string? Subject { get; init; }

    /// <summary>
    /// One error for every problem found while reading a group of settings, so a user fixes them
    /// all in one go: the problem itself when there is one, otherwise "<paramref name="subject"/>
    /// have N problems:" and one line each.
    /// </summary>
    public static ConfigurationException Combine(string subject, IReadOnlyList<ConfigurationException> problems) => problems.Count switch
    {
        0 => throw new ArgumentException("Nothing to combine.", nameof(problems)),
        1 => problems[0],
        _ => new ConfigurationException($"{subject} have {problems.Count} problems:\n" + string.Join('\n', problems.Select(p => "- " + p.Message)))
        {
            Problems = problems,
            Subject = subject,
        },
    };

    /// <summary>The same error with each of its problems replaced by what <paramref name="explain"/> makes of it.</summary>
    public ConfigurationException WithProblems(Func<ConfigurationException, ConfigurationException> explain)
    {
        var explained = Problems.Select(explain).ToList();
        return explained.SequenceEqual(Problems) ? this : Combine(Subject!, explained);
    }
}
