using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployRunner.Handlers.Kubectl;

internal sealed partial class KubectlHandler
{
    private sealed partial class Run
    {
        private OwnershipMark Mark { get; } = new(plan.Deployment.Environment);

        /// <summary>
        /// The objects of the manifests that exist in the cluster, each with its live JSON: one
        /// <c>kubectl get -f - --ignore-not-found</c> for all of them.
        /// </summary>
        private async Task<(IReadOnlyList<(KubernetesObject Item, JsonNode Live)> Existing, HandlerResult? Error)> FindExistingAsync(
            IReadOnlyList<KubernetesObject> objects, CancellationToken cancellationToken)
        {
            if (objects.Count == 0) return ([], null);
            var found = await kubectl.RunAsync(
                ["get", "-f", "-", "--ignore-not-found", "-o", "json", .. NamespaceArguments], Manifests.Render(objects), capture: true, cancellationToken);
            if (found.Cancelled) return ([], Stopped);
            if (!found.Succeeded) return ([], HandlerResult.Errored($"kubectl could not look up the objects of the manifests: {found.Message}; nothing was changed."));

            List<JsonNode> live;
            try
            {
                live = LiveItems(found.Output);
            }
            catch (JsonException e)
            {
                return ([], HandlerResult.Errored($"kubectl get printed something that is not JSON ({e.Message}); nothing was changed."));
            }

            var existing = new List<(KubernetesObject, JsonNode)>();
            foreach (var item in objects)
            {
                var ns = item.Namespace ?? settings.Namespace;
                var match = live.FirstOrDefault(l =>
                    (string?)l["kind"] == item.Kind
                    && (string?)l["metadata"]?["name"] == item.Name
                    && (ns is null || l["metadata"]?["namespace"] is null || (string?)l["metadata"]?["namespace"] == ns));
                if (match is not null) existing.Add((item, match));
            }

            return (existing, null);
        }

        /// <summary>Nothing, one object, or a <c>List</c> of them, as <c>kubectl get -o json</c> prints.</summary>
        private static List<JsonNode> LiveItems(string output) => [.. KubectlJson.Items(output)];

        /// <summary>Names what exists without our mark, and says whose it is when it is another environment's.</summary>
        private string Describe(IEnumerable<(KubernetesObject Item, JsonNode Live)> foreign) =>
            string.Join(", ", foreign.Select(f =>
            {
                var ns = (string?)f.Live["metadata"]?["namespace"];
                var owner = Mark.Of(f.Live) == Ownership.AnotherEnvironment ? $" (deployed for environment '{OwnershipMark.EnvironmentOf(f.Live)}')" : "";
                return $"{f.Item.Reference}{(ns is null ? "" : $" in namespace {ns}")}{owner}";
            }));

        /// <summary>The commands that adopt the objects for this environment, one pair per namespace.</summary>
        private string AdoptHint(IEnumerable<(KubernetesObject Item, JsonNode Live)> foreign) =>
            string.Join(" ; ", foreign
                .GroupBy(f => (string?)f.Live["metadata"]?["namespace"])
                .Select(group => Mark.AdoptCommands(group.Select(f => f.Item.Reference), group.Key)));
    }
}
