using System.Text;
using DeployRunner.Events;

namespace DeployRunner.Planning;

/// <summary>
/// The <c>DEPLOY_*</c> variables every handler hands to the user's script. Values are data:
/// they travel as environment variables (or, over SSH, as quoted exports), never as script text.
/// </summary>
internal static class DeploymentVariables
{
    public const string PayloadPrefix = "DEPLOY_PAYLOAD_";

    /// <summary>Names the file holding the whole payload (local scripts): always there, however big the payload.</summary>
    public const string PayloadFileVariable = "DEPLOY_PAYLOAD_FILE";

    public static IReadOnlyDictionary<string, string> For(Deployment deployment, string repository)
    {
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["DEPLOY_ID"] = deployment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DEPLOY_TASK"] = deployment.Task,
            ["DEPLOY_ENVIRONMENT"] = deployment.Environment,
            ["DEPLOY_REF"] = deployment.Ref,
            ["DEPLOY_SHA"] = deployment.Sha,
            ["DEPLOY_REPOSITORY"] = repository,
            ["DEPLOY_TRANSIENT"] = deployment.TransientEnvironment ? "true" : "false",
            ["DEPLOY_PRODUCTION"] = deployment.ProductionEnvironment ? "true" : "false",
            ["DEPLOY_PAYLOAD"] = deployment.Payload.ToScriptValue(),
        };

        foreach (var (key, value) in deployment.Payload.Scalars())
        {
            var name = PayloadPrefix + VariableName(key);
            // The payload file's variable is the runner's; a payload key "file" does not replace it.
            if (name == PayloadFileVariable) continue;
            // First one wins when two keys fold to the same name ("a-b" and "a_b").
            variables.TryAdd(name, value);
        }

        return variables;
    }

    /// <summary>Upper-cased, every character outside A-Z, 0-9 and _ turned into _.</summary>
    public static string VariableName(string key)
    {
        var builder = new StringBuilder(key.Length);
        foreach (var c in key.ToUpperInvariant())
            builder.Append(c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        return builder.ToString();
    }
}
