using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployRunner.TestKit;

/// <summary>
/// A Kubernetes API server on loopback that speaks just enough of the API for the real
/// <c>kubectl</c> to apply, wait for rollouts and delete: version and discovery, OpenAPI v3
/// documents that advertise server-side field validation (so kubectl validates on the server
/// instead of needing full schemas), object endpoints for a few resource types, lists with
/// <c>fieldSelector=metadata.name=</c>, and watches. It keeps what it receives so tests can
/// assert on what reached the "cluster". Workload status is made up on every read: rollouts are
/// complete when <see cref="RolloutsBecomeAvailable"/> is true, stuck at 0 available otherwise.
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();

    // Key: "resource/namespace/name" (namespace empty for cluster-scoped objects).
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly List<JsonObject> _received = [];
    private readonly List<string> _deleted = [];
    private readonly List<string> _authorizations = [];
    private long _resourceVersion = 100;
    private volatile bool _rolloutsAvailable = true;

    private FakeKubernetesApi(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>The server's self-signed certificate: the kubeconfig trusts it as its CA, so TLS is verified for real.</summary>
    public X509Certificate2 Certificate { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Whether workloads report all replicas available. Changing it bumps every workload so watches see it.</summary>
    public bool RolloutsBecomeAvailable
    {
        get => _rolloutsAvailable;
        set
        {
            lock (_gate)
            {
                _rolloutsAvailable = value;
                foreach (var item in _objects.Values.Where(o => Workloads.Contains((string?)o["kind"])))
                    item["metadata"]!["resourceVersion"] = NextResourceVersion();
            }
        }
    }

    /// <summary>Deployments report that they exceeded their progress deadline (a crash-looping pod, a missing image).</summary>
    public bool ProgressDeadlineExceeded { get; set; }

    /// <summary>When set, every create is refused with this message (422 Invalid), as a hostile or broken server might.</summary>
    public string? RejectCreatesWith { get; set; }

    /// <summary>Every request as "METHOD /path?query", in order.</summary>
    public IReadOnlyList<string> Requests { get { lock (_gate) return [.. _requests]; } }

    /// <summary>Bodies of every create and patch, as received.</summary>
    public IReadOnlyList<JsonObject> Received { get { lock (_gate) return [.. _received.Select(o => (JsonObject)o.DeepClone())]; } }

    /// <summary>Deleted objects as "Kind/namespace/name" (namespace empty when cluster-scoped).</summary>
    public IReadOnlyList<string> Deleted { get { lock (_gate) return [.. _deleted]; } }

    /// <summary>Authorization headers received.</summary>
    public IReadOnlyList<string> Authorizations { get { lock (_gate) return [.. _authorizations]; } }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        // HTTPS because kubectl sends a bearer token only over TLS; the kubeconfig names the
        // certificate as its CA, so verification stays on (no insecure-skip-tls-verify).
        var certificate = SelfSignedCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app, certificate);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address);
        return fake;
    }

    /// <summary>A kubeconfig pointing at this server, with a bearer token and, optionally, a made-up client key.</summary>
    public string Kubeconfig(string token = "fake-token-0123456789abcdef", string context = "fake", string? clientKeyData = null, string? contextNamespace = null) =>
        $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake-cluster
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
            certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem()))}
        contexts:
        - name: {context}
          context:
            cluster: fake-cluster
            user: ci
        {(contextNamespace is null ? "" : $"    namespace: {contextNamespace}")}
        current-context: {context}
        users:
        - name: ci
          user:
            token: {token}
        {(clientKeyData is null ? "" : $"    client-key-data: {clientKeyData}")}
        """;

    /// <summary>An object the test puts into the cluster, as if someone else had made it.</summary>
    public void Seed(JsonObject item)
    {
        var kind = (string)item["kind"]!;
        var resource = Resources.Single(r => r.Kind == kind);
        var metadata = (JsonObject)item["metadata"]!;
        lock (_gate)
        {
            Complete(item, resource, (string?)metadata["namespace"] ?? "");
            _objects[Key(resource, (string?)metadata["namespace"] ?? "", (string)metadata["name"]!)] = item;
        }
    }

    /// <summary>The stored object, or null.</summary>
    public JsonObject? Find(string kind, string? ns, string name)
    {
        var resource = Resources.Single(r => r.Kind == kind);
        lock (_gate)
            return _objects.TryGetValue(Key(resource, resource.Namespaced ? ns ?? "" : "", name), out var item) ? (JsonObject)item.DeepClone() : null;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fake-kubernetes", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? "/";
        lock (_gate)
        {
            _requests.Add($"{request.Method} {path}{request.QueryString}");
            if (request.Headers.Authorization.Count > 0) _authorizations.Add(request.Headers.Authorization.ToString());
        }

        switch (path)
        {
            case "/version":
                await JsonAsync(http, 200, new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0", ["platform"] = "linux/amd64" });
                return;
            case "/api":
                await JsonAsync(http, 200, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = BaseAddress.Authority }),
                });
                return;
            case "/apis":
                await JsonAsync(http, 200, GroupList());
                return;
            case "/openapi/v3":
                await JsonAsync(http, 200, OpenApiRoot());
                return;
        }

        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var groupVersion = path["/openapi/v3/".Length..];
            var resources = Resources.Where(r => (r.Group.Length == 0 ? "api/" : "apis/") + r.GroupVersion == groupVersion).ToList();
            if (resources.Count == 0) { await NotFoundAsync(http, "openapi", groupVersion); return; }
            await JsonAsync(http, 200, OpenApiDocument(resources));
            return;
        }

        var discovery = Resources.Where(r => r.BasePath == path).ToList();
        if (discovery.Count > 0)
        {
            await JsonAsync(http, 200, ResourceList(discovery));
            return;
        }

        if (!TryRoute(path, out var resource, out var ns, out var name))
        {
            await NotFoundAsync(http, "path", path);
            return;
        }

        await (request.Method switch
        {
            "GET" when name is null && request.Query["watch"] == "true" => WatchAsync(http, resource, ns),
            "GET" when name is null => ListAsync(http, resource, ns),
            "GET" => GetAsync(http, resource, ns, name),
            "POST" when name is null => CreateAsync(http, resource, ns),
            "PATCH" when name is not null && IsJsonPatch(request) => JsonPatchAsync(http, resource, ns, name),
            "PATCH" when name is not null => PatchAsync(http, resource, ns, name),
            "PUT" when name is not null => ReplaceAsync(http, resource, ns, name),
            "DELETE" when name is not null => DeleteAsync(http, resource, ns, name),
            _ => StatusAsync(http, 405, "MethodNotAllowed", $"{request.Method} is not supported on {path}"),
        });
    }

    /// <summary>/api/v1/namespaces[/NAME], /api/v1/namespaces/NS/RESOURCE[/NAME], /apis/G/V/namespaces/NS/RESOURCE[/NAME].</summary>
    private static bool TryRoute(string path, out Resource resource, out string ns, out string? name)
    {
        resource = null!;
        ns = "";
        name = null;
        var segments = path.Trim('/').Split('/');
        int rest;
        string group, version;
        if (segments.Length >= 3 && segments[0] == "api") { group = ""; version = segments[1]; rest = 2; }
        else if (segments.Length >= 4 && segments[0] == "apis") { group = segments[1]; version = segments[2]; rest = 3; }
        else
        {
            return false;
        }

        var tail = segments[rest..];
        string resourceName;
        if (tail.Length >= 3 && tail[0] == "namespaces")
        {
            ns = tail[1];
            resourceName = tail[2];
            name = tail.Length >= 4 ? tail[3] : null;
        }
        else
        {
            resourceName = tail[0];
            name = tail.Length >= 2 ? tail[1] : null;
        }

        var found = Resources.SingleOrDefault(r => r.Group == group && r.Version == version && r.Name == resourceName);
        if (found is null) return false;
        resource = found;
        return true;
    }

    private async Task ListAsync(HttpContext http, Resource resource, string ns)
    {
        await JsonAsync(http, 200, new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = CurrentResourceVersion() },
            ["items"] = new JsonArray([.. Select(http, resource, ns).Select(o => (JsonNode)Render(o))]),
        });
    }

    /// <summary>
    /// A watch: the matching objects as ADDED when the client starts from scratch, then MODIFIED
    /// or DELETED as they change, until the client hangs up or its timeoutSeconds run out.
    /// </summary>
    private async Task WatchAsync(HttpContext http, Resource resource, string ns)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        // Headers go out at once, as the real API server does: kubectl waits for them before it
        // can stop a watch it no longer needs, and only then exits.
        await http.Response.StartAsync();
        await http.Response.Body.FlushAsync();
        var timeout = int.TryParse(http.Request.Query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) ? seconds : 300;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        stop.CancelAfter(TimeSpan.FromSeconds(Math.Min(timeout, 300)));
        var seen = Select(http, resource, ns).ToDictionary(o => (string)o["metadata"]!["name"]!, o => (string)o["metadata"]!["resourceVersion"]!);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, stop.Token);
                var now = Select(http, resource, ns).ToDictionary(o => (string)o["metadata"]!["name"]!);
                foreach (var (itemName, item) in now)
                {
                    var version = (string)item["metadata"]!["resourceVersion"]!;
                    if (seen.TryGetValue(itemName, out var before) && before == version) continue;
                    await WriteEventAsync(http, seen.ContainsKey(itemName) ? "MODIFIED" : "ADDED", Render(item), stop.Token);
                    seen[itemName] = version;
                }

                foreach (var gone in seen.Keys.Except(now.Keys).ToList())
                {
                    await WriteEventAsync(http, "DELETED", new JsonObject { ["apiVersion"] = resource.ApiVersion, ["kind"] = resource.Kind, ["metadata"] = new JsonObject { ["name"] = gone, ["namespace"] = ns, ["resourceVersion"] = CurrentResourceVersion() } }, stop.Token);
                    seen.Remove(gone);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the watch's time is up: the stream just ends.
        }
    }

    private static async Task WriteEventAsync(HttpContext http, string type, JsonObject item, CancellationToken cancellationToken)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = item }.ToJsonString() + "\n";
        await http.Response.WriteAsync(line, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private async Task GetAsync(HttpContext http, Resource resource, string ns, string name)
    {
        JsonObject? item;
        lock (_gate) item = _objects.GetValueOrDefault(Key(resource, ns, name));
        if (item is null) await NotFoundAsync(http, resource.Name, name);
        else await JsonAsync(http, 200, Render(item));
    }

    private async Task CreateAsync(HttpContext http, Resource resource, string ns)
    {
        var body = await ReadBodyAsync(http);
        if (body is null) { await StatusAsync(http, 415, "UnsupportedMediaType", $"this fake takes JSON bodies, not {http.Request.ContentType}"); return; }
        var name = (string?)body["metadata"]?["name"];
        if (string.IsNullOrEmpty(name)) { await StatusAsync(http, 422, "Invalid", "metadata.name: Required value"); return; }
        int status;
        JsonObject? stored = null;
        string message = "";
        lock (_gate)
        {
            _received.Add((JsonObject)body.DeepClone());
            if (RejectCreatesWith is { } rejection)
            {
                status = 422;
                message = rejection;
            }
            else if (resource.Namespaced && !_objects.ContainsKey(Key(NamespaceResource, "", ns)))
            {
                status = 404;
                message = $"namespaces \"{ns}\" not found";
            }
            else if (_objects.ContainsKey(Key(resource, ns, name)))
            {
                status = 409;
                message = $"{resource.Name} \"{name}\" already exists";
            }
            else
            {
                Complete(body, resource, ns);
                _objects[Key(resource, ns, name)] = body;
                stored = body;
                Reconcile(body);
                status = 201;
            }
        }

        if (stored is not null) await JsonAsync(http, status, Render(stored));
        else await StatusAsync(http, status, status switch { 404 => "NotFound", 409 => "AlreadyExists", _ => "Invalid" }, message);
    }

    private async Task PatchAsync(HttpContext http, Resource resource, string ns, string name)
    {
        var body = await ReadBodyAsync(http);
        if (body is null) { await StatusAsync(http, 415, "UnsupportedMediaType", $"this fake takes JSON patches, not {http.Request.ContentType}"); return; }
        JsonObject? item;
        lock (_gate)
        {
            _received.Add((JsonObject)body.DeepClone());
            item = _objects.GetValueOrDefault(Key(resource, ns, name));
            if (item is not null)
            {
                // Strategic merge and JSON merge patches both read well enough as a JSON merge
                // patch here; strategic directives are dropped ($patch: replace replaces the object).
                MergePatch(item, body);
                item["metadata"]!["generation"] = (long)item["metadata"]!["generation"]! + 1;
                item["metadata"]!["resourceVersion"] = NextResourceVersion();
                Reconcile(item);
            }
        }

        if (item is null) await NotFoundAsync(http, resource.Name, name);
        else await JsonAsync(http, 200, Render(item));
    }

    private async Task ReplaceAsync(HttpContext http, Resource resource, string ns, string name)
    {
        var body = await ReadBodyAsync(http);
        if (body is null) { await StatusAsync(http, 415, "UnsupportedMediaType", "JSON only"); return; }
        lock (_gate)
        {
            _received.Add((JsonObject)body.DeepClone());
            Complete(body, resource, ns);
            _objects[Key(resource, ns, name)] = body;
        }

        await JsonAsync(http, 200, Render(body));
    }

    private async Task DeleteAsync(HttpContext http, Resource resource, string ns, string name)
    {
        JsonObject? item;
        lock (_gate)
        {
            if (_objects.Remove(Key(resource, ns, name), out item))
            {
                _deleted.Add($"{resource.Kind}/{ns}/{name}");
                if (resource == NamespaceResource)
                {
                    // Deleting a namespace deletes everything in it.
                    foreach (var key in _objects.Keys.Where(k => k.Split('/')[1] == name).ToList())
                    {
                        var inner = _objects[key];
                        _objects.Remove(key);
                        _deleted.Add($"{inner["kind"]}/{name}/{inner["metadata"]!["name"]}");
                    }
                }
            }
        }

        if (item is null) await NotFoundAsync(http, resource.Name, name);
        else await JsonAsync(http, 200, Render(item));
    }

    private List<JsonObject> Select(HttpContext http, Resource resource, string ns)
    {
        var fieldSelector = http.Request.Query["fieldSelector"].ToString();
        string? onlyName = fieldSelector.StartsWith("metadata.name=", StringComparison.Ordinal) ? fieldSelector["metadata.name=".Length..] : null;
        lock (_gate)
        {
            return _objects
                .Where(pair => pair.Key.StartsWith(resource.Name + "/", StringComparison.Ordinal))
                .Select(pair => pair.Value)
                .Where(o => !resource.Namespaced || ns.Length == 0 || (string?)o["metadata"]!["namespace"] == ns)
                .Where(o => onlyName is null || (string?)o["metadata"]!["name"] == onlyName)
                .Where(o => MatchesLabelSelector(o, http.Request.Query["labelSelector"].ToString()))
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
        }
    }

    /// <summary>Fills in what the API server would: identity, versions, defaults.</summary>
    private void Complete(JsonObject item, Resource resource, string ns)
    {
        item["apiVersion"] = resource.ApiVersion;
        item["kind"] = resource.Kind;
        var metadata = item["metadata"] as JsonObject ?? new JsonObject();
        item["metadata"] = metadata;
        if (resource.Namespaced) metadata["namespace"] = ns;
        else metadata.Remove("namespace");
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["resourceVersion"] = NextResourceVersion();
        metadata["generation"] = 1L;
        metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (resource.Kind is "StatefulSet" or "DaemonSet" && item["spec"] is JsonObject spec && spec["updateStrategy"] is null)
            spec["updateStrategy"] = new JsonObject { ["type"] = "RollingUpdate" };
        if (resource.Kind == "Namespace") item["status"] = new JsonObject { ["phase"] = "Active" };
    }

    /// <summary>A copy with a status made up from <see cref="RolloutsBecomeAvailable"/>.</summary>
    private JsonObject Render(JsonObject stored)
    {
        var item = (JsonObject)stored.DeepClone();
        var generation = (long?)item["metadata"]?["generation"] ?? 1;
        var replicas = (int?)item["spec"]?["replicas"] ?? 1;
        var available = _rolloutsAvailable && !RunsUnavailableImage(item) ? replicas : 0;
        switch ((string?)item["kind"])
        {
            case "Deployment":
                item["status"] = new JsonObject
                {
                    ["observedGeneration"] = generation,
                    ["replicas"] = replicas,
                    ["updatedReplicas"] = replicas,
                    ["readyReplicas"] = available,
                    ["availableReplicas"] = available,
                    ["unavailableReplicas"] = replicas - available,
                };
                if (ProgressDeadlineExceeded)
                {
                    item["status"]!["conditions"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "Progressing",
                        ["status"] = "False",
                        ["reason"] = "ProgressDeadlineExceeded",
                        ["message"] = $"ReplicaSet \"{item["metadata"]!["name"]}-5d4f8\" has timed out progressing.",
                    });
                }

                break;
            case "StatefulSet":
                item["status"] = new JsonObject
                {
                    ["observedGeneration"] = generation,
                    ["replicas"] = replicas,
                    ["readyReplicas"] = available,
                    ["availableReplicas"] = available,
                    ["currentReplicas"] = replicas,
                    ["updatedReplicas"] = replicas,
                    ["currentRevision"] = $"{item["metadata"]!["name"]}-1",
                    ["updateRevision"] = $"{item["metadata"]!["name"]}-1",
                };
                break;
            case "DaemonSet":
                item["status"] = new JsonObject
                {
                    ["observedGeneration"] = generation,
                    ["desiredNumberScheduled"] = 1,
                    ["currentNumberScheduled"] = 1,
                    ["updatedNumberScheduled"] = 1,
                    ["numberReady"] = available > 0 ? 1 : 0,
                    ["numberAvailable"] = available > 0 ? 1 : 0,
                };
                break;
        }

        return item;
    }

    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$')) continue;
            if (value is null) target.Remove(key);
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject && (string?)patchObject["$patch"] != "replace") MergePatch(targetObject, patchObject);
            else target[key] = StripDirectives(value.DeepClone());
        }
    }

    private static JsonNode StripDirectives(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            foreach (var key in obj.Select(p => p.Key).Where(k => k.StartsWith('$')).ToList()) obj.Remove(key);
            foreach (var (_, value) in obj.ToList()) if (value is not null) StripDirectives(value);
        }
        else if (node is JsonArray array)
        {
            foreach (var value in array) if (value is not null) StripDirectives(value);
        }

        return node;
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext http)
    {
        var contentType = http.Request.ContentType ?? "";
        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase)) return null;
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        return JsonNode.Parse(text) as JsonObject;
    }

    private string NextResourceVersion() => Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture);

    private string CurrentResourceVersion() => Interlocked.Read(ref _resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string Key(Resource resource, string ns, string name) => $"{resource.Name}/{(resource.Namespaced ? ns : "")}/{name}";

    private static Task NotFoundAsync(HttpContext http, string what, string name) =>
        StatusAsync(http, 404, "NotFound", $"{what} \"{name}\" not found");

    private static Task StatusAsync(HttpContext http, int code, string reason, string message) =>
        JsonAsync(http, code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });

    private static async Task JsonAsync(HttpContext http, int code, JsonObject body)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
}
