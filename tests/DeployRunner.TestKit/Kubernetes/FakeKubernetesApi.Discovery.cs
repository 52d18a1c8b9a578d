using System.Text.Json.Nodes;

namespace DeployRunner.TestKit;

/// <summary>What the fake serves about itself: its resource types, discovery and OpenAPI v3 documents.</summary>
public sealed partial class FakeKubernetesApi
{
    private sealed record Resource(string Group, string Version, string Name, string Kind, bool Namespaced)
    {
        public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

        public string ApiVersion => GroupVersion;

        public string BasePath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
    }

    private static readonly Resource[] Resources =
    [
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "configmaps", "ConfigMap", true),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "services", "Service", true),
        new("", "v1", "serviceaccounts", "ServiceAccount", true),
        new("", "v1", "pods", "Pod", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("apps", "v1", "statefulsets", "StatefulSet", true),
        new("apps", "v1", "daemonsets", "DaemonSet", true),
        new("apps", "v1", "replicasets", "ReplicaSet", true),
        new("apps", "v1", "controllerrevisions", "ControllerRevision", true),
        new("batch", "v1", "jobs", "Job", true),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true),
    ];

    // In the same file as Resources: static fields of a partial class initialise in file order.
    private static readonly Resource NamespaceResource = Resources[0];

    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "DaemonSet"];

    private static JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var group in Resources.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct())
        {
            var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" };
            groups.Add(new JsonObject
            {
                ["name"] = group,
                ["versions"] = new JsonArray(groupVersion.DeepClone()),
                ["preferredVersion"] = groupVersion,
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject ResourceList(IReadOnlyList<Resource> resources)
    {
        var list = new JsonArray();
        foreach (var r in resources)
        {
            list.Add(new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.Kind.ToLowerInvariant(),
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
            });
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = resources[0].GroupVersion, ["resources"] = list };
    }

    private static JsonObject OpenApiRoot()
    {
        var paths = new JsonObject();
        foreach (var gv in Resources.Select(r => (r.Group.Length == 0 ? "api/" : "apis/") + r.GroupVersion).Distinct())
            paths[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash=fake" };
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>
    /// Just the PATCH operations with a <c>fieldValidation</c> query parameter: kubectl's
    /// query-parameter verifier then leaves validation to the server (see cli-runtime's
    /// query_param_verifier_v3.go), which is what a real 1.27+ API server advertises.
    /// </summary>
    private static JsonObject OpenApiDocument(IReadOnlyList<Resource> resources)
    {
        var paths = new JsonObject();
        foreach (var r in resources)
        {
            var path = r.Namespaced ? $"{r.BasePath}/namespaces/{{namespace}}/{r.Name}/{{name}}" : $"{r.BasePath}/{r.Name}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{r.Kind}",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind },
                    ["parameters"] = new JsonArray(new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Fake Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }
}
