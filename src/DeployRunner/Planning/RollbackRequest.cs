using System.Text.RegularExpressions;

namespace DeployRunner.Planning;

/// <summary>
/// What a <c>rollback</c> deployment asks for: the previous release (no <c>release</c> in the
/// payload), or the release of a given deployment (<c>{"release": "41"}</c>, or a release name
/// <c>"41-a5c3785"</c>). Checked while planning: a value that can name no release is refused
/// before any status, not found on the servers after <c>in_progress</c>.
/// </summary>
internal static partial class RollbackRequest
{
    /// <summary>Payload key naming the release to go back to.</summary>
    public const string PayloadKey = "release";

    [GeneratedRegex("^[0-9]{1,19}(-[0-9A-Za-z]{1,64})?$")]
    private static partial Regex DeploymentIdOrReleaseName();

    /// <summary>The requested release (a deployment id or a release name), or null for "the previous one".</summary>
    public static string? Of(DeploymentPlan plan)
    {
        if (plan.Deployment.Payload.Object is not { } payload || !payload.ContainsKey(PayloadKey)) return null;
        var wanted = plan.Deployment.Payload.GetScalar(PayloadKey);
        if (wanted is null || !DeploymentIdOrReleaseName().IsMatch(wanted))
        {
            // JSON text: quoted, line breaks escaped, so the value cannot shape the error line.
            var shown = payload[PayloadKey]?.ToJsonString() ?? "null";
            if (shown.Length > 80) shown = shown[..80] + "…";
            throw new ConfigurationException(
                $"The rollback deployment's payload `{PayloadKey}` must be the id of the deployment to go back to (such as \"41\") or a release name (such as \"41-a5c3785\"), not {shown}. "
                + "Create the rollback deployment again with a deployment id, or without `release` to go back to the previous release.");
        }

        return wanted;
    }
}
