#!/usr/bin/env python3
"""A minimal fake Kubernetes API server for the kubectl benchmark, on loopback only.

Serves what `kubectl get/create/apply/rollout status/delete` call (version, discovery, OpenAPI v3
documents advertising server-side field validation, object endpoints, lists), keeps objects in
memory, and reports every workload as fully rolled out. A watch is answered with an empty stream
(the rollout is complete from the list already, so kubectl stops there). A Deployment gets a
ReplicaSet for its current template and that ReplicaSet its pods, owned as a controller would own
them, so what a peer does after the rollout (Azure/k8s-deploy: `describe deployment` for the new
ReplicaSet, `get pods`, `annotate pod`) finds them; events are always an empty list. The test suite's fake
(tests/DeployRunner.TestKit/Kubernetes/FakeKubernetesApi.cs) is the complete one; this one
only has to be fast and dependency-free. Prints its port, then serves until killed.
"""
import hashlib
import http.server
import json
import sys
import urllib.parse

RESOURCES = [
    ("", "namespaces", "Namespace", False),
    ("", "configmaps", "ConfigMap", True),
    ("", "services", "Service", True),
    ("apps", "deployments", "Deployment", True),
    ("networking.k8s.io", "ingresses", "Ingress", True),
    ("", "pods", "Pod", True),
    ("", "events", "Event", True),
    ("apps", "replicasets", "ReplicaSet", True),
]
OBJECTS = {}
VERSION = [1000]


def base(group):
    return "/api/v1" if group == "" else f"/apis/{group}/v1"


def gv(group):
    return "v1" if group == "" else f"{group}/v1"


def render(item):
    item = json.loads(json.dumps(item))
    if item.get("kind") == "Deployment":
        n = item.get("spec", {}).get("replicas", 1)
        gen = item["metadata"].get("generation", 1)
        item["status"] = {"observedGeneration": gen, "replicas": n, "updatedReplicas": n,
                          "readyReplicas": n, "availableReplicas": n}
    return item


def own(deployment, ns):
    """The ReplicaSet of the Deployment's current template and its pods, as the controllers make them."""
    meta, spec = deployment["metadata"], deployment.get("spec", {})
    template = json.loads(json.dumps(spec.get("template", {})))
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]
    template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = digest
    labels = template["metadata"]["labels"]
    n = spec.get("replicas", 1)
    rs_name = f"{meta['name']}-{digest}"
    if ("replicasets", ns, rs_name) not in OBJECTS:
        VERSION[0] += 1
        selector = json.loads(json.dumps(spec.get("selector", {})))
        selector.setdefault("matchLabels", {})["pod-template-hash"] = digest
        OBJECTS[("replicasets", ns, rs_name)] = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs_name, "namespace": ns, "uid": f"uid-{VERSION[0]}", "resourceVersion": str(VERSION[0]),
                         "labels": labels, "annotations": {"deployment.kubernetes.io/revision": "1"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": meta["name"],
                                              "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"replicas": n, "selector": selector, "template": template},
            "status": {"replicas": n, "readyReplicas": n, "availableReplicas": n, "fullyLabeledReplicas": n}}
    rs = OBJECTS[("replicasets", ns, rs_name)]
    for i in range(n):
        pod_name = f"{rs_name}-p{i}"
        if ("pods", ns, pod_name) in OBJECTS:
            continue
        VERSION[0] += 1
        OBJECTS[("pods", ns, pod_name)] = {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod_name, "namespace": ns, "uid": f"uid-{VERSION[0]}", "resourceVersion": str(VERSION[0]),
                         "labels": labels,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name,
                                              "uid": rs["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]},
            "spec": template.get("spec", {}),
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}


def merge(target, patch):
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def status(self, code, reason, message):
        self.send_json(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "reason": reason, "message": message, "code": code})

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def route(self, path):
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            group, rest = "", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, rest = parts[1], parts[3:]
        else:
            return None
        ns, name = "", None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, resource, name = rest[1], rest[2], (rest[3] if len(rest) > 3 else None)
        elif rest:
            resource, name = rest[0], (rest[1] if len(rest) > 1 else None)
        else:
            return None
        for r in RESOURCES:
            if r[0] == group and r[1] == resource:
                return r, (ns if r[3] else ""), name
        return None

    def handle_request(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        path = url.path
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"})
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            groups = sorted({r[0] for r in RESOURCES if r[0]})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": gv(g), "version": "v1"}],
                 "preferredVersion": {"groupVersion": gv(g), "version": "v1"}} for g in groups]})
        if path == "/openapi/v3":
            return self.send_json(200, {"paths": {base(g)[1:]: {"serverRelativeURL": f"/openapi/v3{base(g)}?hash=b"}
                                                  for g in {r[0] for r in RESOURCES}}})
        if path.startswith("/openapi/v3/"):
            paths = {}
            for g, name, kind, namespaced in RESOURCES:
                if base(g) == path[len("/openapi/v3"):]:
                    p = f"{base(g)}/namespaces/{{namespace}}/{name}/{{name}}" if namespaced else f"{base(g)}/{name}/{{name}}"
                    paths[p] = {"patch": {"x-kubernetes-group-version-kind": {"group": g, "version": "v1", "kind": kind},
                                          "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
                                          "responses": {"200": {"description": "OK"}}}}
            return self.send_json(200, {"openapi": "3.0.0", "info": {"title": "bench", "version": "v1"}, "paths": paths})
        for g in {r[0] for r in RESOURCES}:
            if path == base(g):
                return self.send_json(200, {"kind": "APIResourceList", "groupVersion": gv(g), "resources": [
                    {"name": r[1], "singularName": r[2].lower(), "namespaced": r[3], "kind": r[2],
                     "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]} for r in RESOURCES if r[0] == g]})
        routed = self.route(path)
        if routed is None:
            return self.status(404, "NotFound", path)
        (group, resource, kind, namespaced), ns, name = routed
        key = (resource, ns, name)
        if self.command == "GET" and name is None:
            if query.get("watch") == ["true"]:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            selector = query.get("fieldSelector", [""])[0]
            only = selector[len("metadata.name="):] if selector.startswith("metadata.name=") else None
            items = [render(o) for (r, n, m), o in OBJECTS.items() if r == resource and (not ns or n == ns) and (only is None or m == only)]
            return self.send_json(200, {"kind": kind + "List", "apiVersion": gv(group),
                                        "metadata": {"resourceVersion": str(VERSION[0])}, "items": items})
        if self.command == "GET":
            return self.send_json(200, render(OBJECTS[key])) if key in OBJECTS else self.status(404, "NotFound", f"{resource} \"{name}\" not found")
        if self.command == "POST":
            item = self.body()
            key = (resource, ns, item["metadata"]["name"])
            if key in OBJECTS:
                return self.status(409, "AlreadyExists", f"{resource} \"{key[2]}\" already exists")
            VERSION[0] += 1
            item.update({"apiVersion": gv(group), "kind": kind})
            item["metadata"].update({"resourceVersion": str(VERSION[0]), "generation": 1, "uid": f"uid-{VERSION[0]}"})
            if namespaced:
                item["metadata"]["namespace"] = ns
            OBJECTS[key] = item
            if kind == "Deployment":
                own(item, ns)
            return self.send_json(201, render(item))
        if self.command == "PATCH":
            if key not in OBJECTS:
                return self.status(404, "NotFound", f"{resource} \"{name}\" not found")
            VERSION[0] += 1
            merge(OBJECTS[key], self.body())
            OBJECTS[key]["metadata"]["resourceVersion"] = str(VERSION[0])
            if kind == "Deployment":
                own(OBJECTS[key], ns)
            return self.send_json(200, render(OBJECTS[key]))
        if self.command == "DELETE":
            self.body()
            item = OBJECTS.pop(key, None)
            return self.send_json(200, item) if item else self.status(404, "NotFound", f"{resource} \"{name}\" not found")
        return self.status(405, "MethodNotAllowed", self.command)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_request


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
