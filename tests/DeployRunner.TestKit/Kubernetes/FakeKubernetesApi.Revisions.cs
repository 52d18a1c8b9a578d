using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeployRunner.TestKit;

/// <summary>
/// Revisions, as <c>kubectl rollout undo</c> needs them: the fake plays the Deployment
/// controller's part. Whenever a Deployment's pod template changes, it gets a ReplicaSet owned
/// by it (ownerReferences with its uid), labelled with the template's labels plus
/// <c>pod-template-hash</c>, annotated <c>deployment.kubernetes.io/revision</c> with the next
/// number; a template that matches an older ReplicaSet reuses it and renumbers it to the next
/// revision, as the controller does (kubernetes/website#26081). ReplicaSets are listed by
/// <c>labelSelector</c>, and the JSON patch that <c>rollout undo</c> sends
/// (<c>application/json-patch+json</c>, replacing <c>/spec/template</c> and
/// <c>/metadata/annotations</c>) is applied. Rollouts can be made to fail per image.
/// </summary>
public sealed partial class FakeKubernetesApi
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string PodTemplateHashLabel = "pod-template-hash";

    // The annotations the controller does not copy between a Deployment and its ReplicaSets
    // (kubectl's rollback.go keeps the Deployment's own values for them).
    private static readonly string[] AnnotationsNotCopied =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
    ];

    private readonly HashSet<string> _unavailableImages = new(StringComparer.Ordinal);
    private readonly List<JsonArray> _jsonPatches = [];

    /// <summary>Deployments, StatefulSets and DaemonSets whose pod template runs this image never become available (as if it crashed on start).</summary>
    public void NeverAvailable(string image)
    {
        lock (_gate) _unavailableImages.Add(image);
    }

    /// <summary>When set, every JSON patch (what <c>kubectl rollout undo</c> sends) is refused with this message.</summary>
    public string? RejectJsonPatchesWith { get; set; }

    /// <summary>Every JSON patch received, as sent.</summary>
    public IReadOnlyList<JsonArray> JsonPatches { get { lock (_gate) return [.. _jsonPatches.Select(p => (JsonArray)p.DeepClone())]; } }

    /// <summary>The ReplicaSets a Deployment owns, by revision.</summary>
    public IReadOnlyList<JsonObject> ReplicaSetsOf(string ns, string deployment)
    {
        lock (_gate)
        {
            var uid = (string?)_objects.GetValueOrDefault(Key(Resources.Single(r => r.Kind == "Deployment"), ns, deployment))?["metadata"]?["uid"];
            return [.. OwnedReplicaSets(ns, uid).OrderBy(Revision).Select(rs => (JsonObject)rs.DeepClone())];
        }
    }

    private bool RunsUnavailableImage(JsonObject item)
    {
        if ((string?)item["kind"] is not ("Deployment" or "StatefulSet" or "DaemonSet")) return false;
        lock (_gate)
        {
            if (_unavailableImages.Count == 0) return false;
            return item["spec"]?["template"]?["spec"]?["containers"] is JsonArray containers
                && containers.Any(c => (string?)c?["image"] is { } image && _unavailableImages.Contains(image));
        }
    }

    private static bool IsJsonPatch(HttpRequest request) =>
        (request.ContentType ?? "").StartsWith("application/json-patch+json", StringComparison.OrdinalIgnoreCase);

    private async Task JsonPatchAsync(HttpContext http, Resource resource, string ns, string name)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        if (JsonNode.Parse(await reader.ReadToEndAsync()) is not JsonArray operations)
        {
            await StatusAsync(http, 400, "BadRequest", "a JSON patch is an array of operations");
            return;
        }

        JsonObject? item;
        string? problem = null;
        lock (_gate)
        {
            _jsonPatches.Add((JsonArray)operations.DeepClone());
            item = _objects.GetValueOrDefault(Key(resource, ns, name));
            if (RejectJsonPatchesWith is { } rejection)
            {
                problem = rejection;
            }
            else if (item is not null)
            {
                var patched = (JsonObject)item.DeepClone();
                problem = operations.Select(op => Apply(patched, op)).FirstOrDefault(p => p is not null);
                if (problem is null)
                {
                    patched["metadata"]!["generation"] = (long)item["metadata"]!["generation"]! + 1;
                    patched["metadata"]!["resourceVersion"] = NextResourceVersion();
                    _objects[Key(resource, ns, name)] = patched;
                    item = patched;
                    Reconcile(patched);
                }
            }
        }

        if (problem is not null) await StatusAsync(http, 422, "Invalid", problem);
        else if (item is null) await NotFoundAsync(http, resource.Name, name);
        else await JsonAsync(http, 200, Render(item));
    }

    /// <summary>One add, replace or remove on an object member (all that rollout undo sends); null when it worked.</summary>
    private static string? Apply(JsonObject target, JsonNode? operation)
    {
        var op = (string?)operation?["op"];
        var path = (string?)operation?["path"];
        if (path is null || !path.StartsWith('/')) return $"json patch: bad path '{path}'";
        var segments = path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonObject parent = target;
        foreach (var segment in segments[..^1])
        {
            if (parent[segment] is not JsonObject child) return $"json patch: {path} has no parent object";
            parent = child;
        }

        switch (op)
        {
            case "add":
            case "replace" when parent.ContainsKey(segments[^1]):
                parent[segments[^1]] = operation!["value"]?.DeepClone();
                return null;
            case "remove" when parent.ContainsKey(segments[^1]):
                parent.Remove(segments[^1]);
                return null;
            default:
                return $"json patch: cannot {op} {path}";
        }
    }

    /// <summary>The Deployment controller's part: the ReplicaSet of the current template, and the revision number. Called under the lock.</summary>
    private void Reconcile(JsonObject deployment)
    {
        if ((string?)deployment["kind"] is "StatefulSet" or "DaemonSet") ReconcileControllerRevisions(deployment);
        if ((string?)deployment["kind"] != "Deployment" || deployment["spec"]?["template"] is not JsonObject template) return;
        var metadata = (JsonObject)deployment["metadata"]!;
        var ns = (string?)metadata["namespace"] ?? "";
        var name = (string)metadata["name"]!;
        var uid = (string?)metadata["uid"];
        var annotations = metadata["annotations"] as JsonObject ?? [];
        metadata["annotations"] = annotations;

        var wanted = WithoutHash(template);
        var owned = OwnedReplicaSets(ns, uid).ToList();
        var newest = owned.Count == 0 ? 0 : owned.Max(Revision);
        var current = owned.FirstOrDefault(rs => JsonNode.DeepEquals(WithoutHash((JsonObject)rs["spec"]!["template"]!), wanted));
        var revision = current is null || Revision(current) != newest ? newest + 1 : newest;
        var copied = new JsonObject();
        foreach (var (key, value) in annotations.Where(a => !AnnotationsNotCopied.Contains(a.Key)))
            copied[key] = value?.DeepClone();
        copied[RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);

        if (current is null)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(wanted.ToJsonString())))[..10];
            var podTemplate = (JsonObject)wanted.DeepClone();
            Labels(podTemplate)[PodTemplateHashLabel] = hash;
            var labels = (JsonObject)Labels(podTemplate).DeepClone();
            var matchLabels = deployment["spec"]?["selector"]?["matchLabels"]?.DeepClone() as JsonObject ?? [];
            matchLabels[PodTemplateHashLabel] = hash;
            current = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = $"{name}-{hash}",
                    ["labels"] = labels,
                    ["ownerReferences"] = new JsonArray(new JsonObject
                    {
                        ["apiVersion"] = "apps/v1",
                        ["kind"] = "Deployment",
                        ["name"] = name,
                        ["uid"] = uid,
                        ["controller"] = true,
                        ["blockOwnerDeletion"] = true,
                    }),
                },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = deployment["spec"]?["replicas"]?.DeepClone() ?? 1,
                    ["selector"] = new JsonObject { ["matchLabels"] = matchLabels },
                    ["template"] = podTemplate,
                },
            };
            var replicaSets = Resources.Single(r => r.Kind == "ReplicaSet");
            Complete(current, replicaSets, ns);
            _objects[Key(replicaSets, ns, $"{name}-{hash}")] = current;
        }

        current["metadata"]!["annotations"] = copied;
        current["metadata"]!["resourceVersion"] = NextResourceVersion();
        annotations[RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
    }

    private IEnumerable<JsonObject> OwnedReplicaSets(string ns, string? uid) =>
        uid is null
            ? []
            : _objects.Values.Where(o =>
                (string?)o["kind"] == "ReplicaSet"
                && (string?)o["metadata"]?["namespace"] == ns
                && o["metadata"]?["ownerReferences"] is JsonArray owners
                && owners.Any(owner => (string?)owner?["uid"] == uid && (bool?)owner?["controller"] == true));

    private static long Revision(JsonObject replicaSet) =>
        long.TryParse((string?)replicaSet["metadata"]?["annotations"]?[RevisionAnnotation], CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    /// <summary>
    /// A template to compare, without the hash label and without what kubectl's typed round trip
    /// adds or drops (<c>creationTimestamp: null</c>, <c>resources: {}</c>): the fake does not
    /// default fields as the API server does, so the same template can arrive spelled two ways.
    /// </summary>
    private static JsonObject WithoutHash(JsonObject template)
    {
        var copy = (JsonObject)template.DeepClone();
        Labels(copy).Remove(PodTemplateHashLabel);
        return (JsonObject)(Normalized(copy) ?? new JsonObject());
    }

    private static JsonNode? Normalized(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Normalized(value) is { } kept) result[key] = kept;
                }

                return result.Count == 0 ? null : result;
            case JsonArray array:
                var items = new JsonArray([.. array.Select(Normalized).Where(i => i is not null)]);
                return items.Count == 0 ? null : items;
            default:
                return node?.DeepClone();
        }
    }

    private static JsonObject Labels(JsonObject template)
    {
        var metadata = template["metadata"] as JsonObject ?? [];
        template["metadata"] = metadata;
        var labels = metadata["labels"] as JsonObject ?? [];
        metadata["labels"] = labels;
        return labels;
    }

    /// <summary>The equality-based label selectors kubectl sends (<c>a=b,c!=d,e,!f</c>); an empty one matches everything.</summary>
    private static bool MatchesLabelSelector(JsonObject item, string selector)
    {
        var labels = item["metadata"]?["labels"] as JsonObject;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? Label(string key) => (string?)labels?[key.Trim()];
            var matched = term switch
            {
                _ when term.Contains("!=", StringComparison.Ordinal) => Label(term[..term.IndexOf("!=", StringComparison.Ordinal)]) != term[(term.IndexOf("!=", StringComparison.Ordinal) + 2)..].Trim(),
                _ when term.Contains("==", StringComparison.Ordinal) => Label(term[..term.IndexOf("==", StringComparison.Ordinal)]) == term[(term.IndexOf("==", StringComparison.Ordinal) + 2)..].Trim(),
                _ when term.Contains('=', StringComparison.Ordinal) => Label(term[..term.IndexOf('=', StringComparison.Ordinal)]) == term[(term.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim(),
                _ when term.StartsWith('!') => Label(term[1..]) is null,
                _ => Label(term) is not null,
            };
            if (!matched) return false;
        }

        return true;
    }
}
