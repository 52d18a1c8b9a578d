#!/usr/bin/env bash
# The kubectl handler's overhead: one deploy of the review-app example (kustomize build, image
# substitution, namespace check, apply, rollout status) through the runner, against a baseline of
# the same kubectl commands typed by hand (`kubectl apply -k` then `kubectl rollout status`).
# Both talk to the same loopback fake API server, where every rollout is complete at once.
# No token and not in Actions: the runner prints its statuses instead of posting them.
# With `objects` (bench/kubectl-objects.sh) it deploys a set of 20 plain manifests instead (5
# Deployments, 5 Services, 5 ConfigMaps, 5 Ingresses), against `kubectl apply -f` and one
# `rollout status` per Deployment.
# Usage: bench/kubectl.sh [RUNS] [objects]   (BENCH_BUILD=framework for the framework-dependent
# build; RUNNER_CMD overrides the runner command)
source "$(dirname "$0")/common.sh"
require hyperfine jq python3 dotnet kubectl

RUNS="${1:-10}"
SET="${2:-example}"
RUNNER_CMD="$(runner_command)"

WORK="$(mktemp -d)"
PORT_FILE="$WORK/port"
python3 "$BENCH_DIR/fake_kubernetes.py" > "$PORT_FILE" &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do [ -s "$PORT_FILE" ] && break; sleep 0.05; done
PORT="$(head -n1 "$PORT_FILE")"

cat > "$WORK/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: bench
  cluster:
    server: http://127.0.0.1:$PORT
contexts:
- name: bench
  context: {cluster: bench, user: bench, namespace: pr1}
current-context: bench
users:
- name: bench
  user: {}
EOF

mkdir -p "$WORK/workspace/examples"
cp -r "$REPO_DIR/examples/kubectl-review-app" "$WORK/workspace/examples/"
MANIFESTS="$WORK/workspace/examples/kubectl-review-app/k8s"
EVENT="$REPO_DIR/examples/events/remove-review-app.json"
sed 's/"task": "remove"/"task": "deploy"/' "$EVENT" > "$WORK/deploy.json"

# Each side deploys into an existing namespace of its own: the runner into pr1, the baseline into
# pr2. (In one namespace, the baseline's `apply` drops the runner's ownership marks, and every
# runner deploy after it is refused by the ownership check, as it should be.) (`create -f`, not
# `create namespace`: typed create commands send protobuf, which the fake does not speak.)
for ns in pr1 pr2; do
  printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$ns" | KUBECONFIG="$WORK/kubeconfig" kubectl create -f - >/dev/null
done

export INPUT_HANDLER=kubectl INPUT_KUBECONFIG="$(cat "$WORK/kubeconfig")" INPUT_NAMESPACE=pr1 \
  INPUT_MANIFESTS=examples/kubectl-review-app/k8s \
  INPUT_IMAGES="ghcr.io/octocat/hello-world=ghcr.io/octocat/hello-world:8f2b1d9" \
  GITHUB_WORKSPACE="$WORK/workspace" GITHUB_EVENT_PATH="$WORK/deploy.json" GITHUB_REPOSITORY=octocat/hello-world
unset GITHUB_ACTIONS INPUT_TOKEN
KUBECTL="KUBECONFIG='$WORK/kubeconfig' kubectl"
BASELINE="$KUBECTL apply -k '$MANIFESTS' -n pr2 >/dev/null && $KUBECTL rollout status deployment/web -n pr2 --timeout=30s >/dev/null"
BASELINE_NAME="baseline (kubectl apply -k; rollout status)"
NAME=kubectl
TITLE="One kubectl deploy of the review-app example"

if [ "$SET" = objects ]; then
  mkdir -p "$WORK/workspace/objects"
  BASELINE="$KUBECTL apply -f '$WORK/workspace/objects' -n pr2 >/dev/null"
  for i in 1 2 3 4 5; do
    cat > "$WORK/workspace/objects/app$i.yaml" <<OBJECTS
apiVersion: v1
kind: ConfigMap
metadata: {name: app$i-config}
data: {GREETING: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app$i}
spec:
  replicas: 2
  selector: {matchLabels: {app: app$i}}
  template:
    metadata: {labels: {app: app$i}}
    spec:
      containers:
      - {name: app, image: ghcr.io/octocat/hello-world:latest, ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: app$i}
spec:
  selector: {app: app$i}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app$i}
spec:
  rules:
  - host: app$i.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app$i, port: {number: 80}}}}]}
OBJECTS
    BASELINE="$BASELINE && $KUBECTL rollout status deployment/app$i -n pr2 --timeout=30s >/dev/null"
  done
  export INPUT_MANIFESTS=objects INPUT_IMAGES="ghcr.io/octocat/hello-world=ghcr.io/octocat/hello-world:8f2b1d9"
  BASELINE_NAME="baseline (kubectl apply -f; 5x rollout status)"
  NAME=kubectl-objects
  TITLE="One kubectl deploy of 20 objects (5 Deployments)"
fi

# A third line for reading the gap: the baseline with a cold discovery cache, as on a fresh
# hosted runner (kubectl's cache in ~/.kube/cache survives between the baseline's runs here;
# the runner starts every run with an empty private cache, shared by its kubectl calls).
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
COLD="CACHE=\$(mktemp -d); ${BASELINE//kubectl /kubectl --cache-dir \$CACHE }; rm -rf \$CACHE"
interleaved_hyperfine "$RUNS" 2 "$RESULTS_DIR/$NAME.json" --shell=bash \
  -n "runner (kubectl handler)" "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s >/dev/null" \
  -n "$BASELINE_NAME" "$BASELINE" \
  -n "$BASELINE_NAME, cold discovery cache" "$COLD"
echo "load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"

report "$TITLE (median of $RUNS interleaved runs)" "$RESULTS_DIR/$NAME.json"
jq -r '"  baseline with a cold discovery cache: median \(.results[2].median * 10000 | round / 10) ms; runner / cold baseline: \((.results[0].median / .results[2].median) * 100 | round / 100)x"' "$RESULTS_DIR/$NAME.json"
# Processes and where the time goes: for each kubectl process, its subcommand and its wall time
# from its execve to its exit. (The old counter printed "runner 2" / "runner 1" because its traced
# deploy ran after the baseline had applied into the same namespace: the ownership check refused
# it after `kustomize` and `get`, as it should. Each side now has its namespace, and a failed
# traced run is printed.) `strace -ff` writes one file per process, so no execve is split into
# "<unfinished ...>" / "<... resumed>" halves by another process's line.
calls() {
  local dir
  dir="$(mktemp -d "$WORK/strace.XXXX")"
  strace -ff -tt -e trace=execve,exit_group -o "$dir/p" bash -c "$1" > "$WORK/calls-$2.log" 2>&1 || { echo "  $2 failed under strace:"; tail -5 "$WORK/calls-$2.log"; }
  python3 - "$dir" "$2" <<'PY'
import glob, re, sys
from datetime import datetime
def t(line): return datetime.strptime(line.split(" ", 1)[0], "%H:%M:%S.%f")
calls, first, last = [], None, None
for f in glob.glob(sys.argv[1] + "/p.*"):
    lines = open(f).read().splitlines()
    stamped = [l for l in lines if re.match(r"\d\d:", l)]
    if stamped:
        first = min(first or t(stamped[0]), t(stamped[0])); last = max(last or t(stamped[-1]), t(stamped[-1]))
    for i, l in enumerate(lines):
        m = re.search(r'execve\("[^"]*/kubectl", \[(.*?)\]', l)
        if m and l.rstrip().endswith("= 0"):
            end = next((t(x) for x in lines[i:] if "+++ exited" in x), None)
            args = [a.strip('"') for a in m.group(1).split(", ")]
            # the subcommand: the first word that is no flag and no flag's value ("rollout status": two)
            words = [a for a in args[1:] if not a.startswith("-") and "/" not in a and "=" not in a]
            words = words[:2] if words[0] == "rollout" else words[:1]
            calls.append((t(l), " ".join(words), (end - t(l)).total_seconds() * 1000 if end else float("nan")))
calls.sort()
total = (last - first).total_seconds() * 1000
print(f"  {sys.argv[2]}: {len(calls)} kubectl processes, {sum(c[2] for c in calls):.0f} ms of {total:.0f} ms (under strace)")
for start, words, ms in calls:
    print(f"    kubectl {words}: {ms:.0f} ms (starts at +{(start - first).total_seconds() * 1000:.0f} ms)")
PY
}
runner_calls="$(calls "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s" runner)"
baseline_calls="$(calls "$BASELINE" baseline)"
echo "$runner_calls"; echo "$baseline_calls"
count() { sed -n '1s/.*: \([0-9]*\) kubectl processes.*/\1/p' <<< "$1"; }
table_row "$NAME" "$RESULTS_DIR/$NAME.json" "kubectl processes: runner $(count "$runner_calls"), baseline $(count "$baseline_calls")" >/dev/null
