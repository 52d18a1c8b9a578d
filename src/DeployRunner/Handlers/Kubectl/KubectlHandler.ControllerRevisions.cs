using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        /// <summary>
        /// The revision a StatefulSet or DaemonSet had before the apply. Their revisions live in
        /// ControllerRevisions, not on the object, so it is found only when a rollback is needed
        /// (no extra call on a deploy that succeeds): the ControllerRevision the workload
        /// controls (its uid) whose template (<c>data.spec.template</c>, the controllers' patch) is
        /// the template recorded before the apply. Null when there is none or it cannot be read:
        /// <c>rollout undo</c> then goes one revision back, which is the same one whenever this
        /// deploy made exactly one new revision.
        /// </summary>
        private async Task<long?> RecordedControllerRevisionAsync(JsonNode earlier, JsonNode later, string? ns, CancellationToken cancellationToken)
        {
            var uid = (string?)later["metadata"]?["uid"];
            if (uid is null || earlier["spec"]?["template"] is not JsonObject recorded) return null;
            string[] where = ns is null ? [] : ["--namespace", ns];
            var listed = await kubectl.RunAsync(["get", "controllerrevisions.apps", "-o", "json", .. where], input: null, capture: true, cancellationToken);
            if (!listed.Succeeded) return null;
            try
            {
                foreach (var revision in LiveItems(listed.Output))
                {
                    var owned = revision["metadata"]?["ownerReferences"] is JsonArray owners
                                && owners.Any(o => (string?)o?["uid"] == uid && (bool?)o?["controller"] == true);
                    if (!owned || revision["data"]?["spec"]?["template"] is not JsonObject stored) continue;
                    var template = (JsonObject)stored.DeepClone();
                    template.Remove("$patch");
                    if (JsonNode.DeepEquals(template, recorded) && revision["revision"] is JsonValue number && number.TryGetValue<long>(out var value)) return value;
                }
            }
            catch (JsonException)
            {
                // Not JSON: go one back, as without a record.
            }

            return null;
        }
    }
}
