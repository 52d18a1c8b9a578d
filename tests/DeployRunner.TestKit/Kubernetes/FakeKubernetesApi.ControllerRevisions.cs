using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DeployRunner.TestKit;

/// <summary>
/// ControllerRevisions, as <c>kubectl rollout undo</c> needs them for StatefulSets and DaemonSets
/// (kubectl's polymorphichelpers/rollback.go): the fake plays their controllers' part. Whenever
/// the pod template changes, the workload gets a ControllerRevision owned by it (ownerReferences
/// with its uid, <c>controller: true</c>), labelled with the template's labels plus
/// <c>controller.kubernetes.io/hash</c>, holding <c>data</c> =
/// <c>{"spec":{"template":{..., "$patch":"replace"}}}</c> (the controllers' getPatch) and the next
/// <c>revision</c>; a template equal to an older revision's reuses it and renumbers it, as the
/// controllers do. <c>rollout undo</c> lists them by the workload's selector, keeps the ones the
/// workload controls, and sends the chosen revision's data as a strategic merge patch, whose
/// <c>$patch: replace</c> the fake's merge honours.
/// </summary>
public sealed partial class FakeKubernetesApi
{
    private const string ControllerRevisionHashLabel = "controller.kubernetes.io/hash";

    /// <summary>The ControllerRevisions a StatefulSet or DaemonSet controls, by revision.</summary>
    public IReadOnlyList<JsonObject> ControllerRevisionsOf(string kind, string ns, string name)
    {
        lock (_gate)
        {
            var uid = (string?)_objects.GetValueOrDefault(Key(Resources.Single(r => r.Kind == kind), ns, name))?["metadata"]?["uid"];
            return [.. OwnedControllerRevisions(ns, uid).OrderBy(r => (long?)r["revision"] ?? 0).Select(r => (JsonObject)r.DeepClone())];
        }
    }

    /// <summary>The StatefulSet or DaemonSet controller's part: the revision of the current template. Called under the lock.</summary>
    private void ReconcileControllerRevisions(JsonObject workload)
    {
        if (workload["spec"]?["template"] is not JsonObject template) return;
        var metadata = (JsonObject)workload["metadata"]!;
        var ns = (string?)metadata["namespace"] ?? "";
        var name = (string)metadata["name"]!;
        var uid = (string?)metadata["uid"];

        var wanted = WithoutHash(template);
        var owned = OwnedControllerRevisions(ns, uid).ToList();
        var newest = owned.Count == 0 ? 0 : owned.Max(r => (long?)r["revision"] ?? 0);
        var current = owned.FirstOrDefault(r => r["data"]?["spec"]?["template"] is JsonObject stored && JsonNode.DeepEquals(WithoutHash(WithoutPatchDirective(stored)), wanted));
        if (current is not null)
        {
            if ((long?)current["revision"] != newest)
            {
                current["revision"] = newest + 1;
                current["metadata"]!["resourceVersion"] = NextResourceVersion();
            }

            return;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(wanted.ToJsonString())))[..10];
        var data = (JsonObject)template.DeepClone();
        data["$patch"] = "replace";
        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        labels[ControllerRevisionHashLabel] = hash;
        var revision = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{name}-{hash}",
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = (string?)workload["kind"],
                    ["name"] = name,
                    ["uid"] = uid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["data"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = data } },
            ["revision"] = newest + 1,
        };
        var resource = Resources.Single(r => r.Kind == "ControllerRevision");
        Complete(revision, resource, ns);
        _objects[Key(resource, ns, $"{name}-{hash}")] = revision;
    }

    private IEnumerable<JsonObject> OwnedControllerRevisions(string ns, string? uid) =>
        uid is null
            ? []
            : _objects.Values.Where(o =>
                (string?)o["kind"] == "ControllerRevision"
                && (string?)o["metadata"]?["namespace"] == ns
                && o["metadata"]?["ownerReferences"] is JsonArray owners
                && owners.Any(owner => (string?)owner?["uid"] == uid && (bool?)owner?["controller"] == true));

    private static JsonObject WithoutPatchDirective(JsonObject template)
    {
        var copy = (JsonObject)template.DeepClone();
        copy.Remove("$patch");
        return copy;
    }
}
