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

# Both sides deploy into an existing namespace. (`create -f`, not `create namespace`: typed create
# commands send protobuf, which the fake does not speak.)
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: pr1}\n' | KUBECONFIG="$WORK/kubeconfig" kubectl create -f - >/dev/null

export INPUT_HANDLER=kubectl INPUT_KUBECONFIG="$(cat "$WORK/kubeconfig")" INPUT_NAMESPACE=pr1 \
  INPUT_MANIFESTS=examples/kubectl-review-app/k8s \
  INPUT_IMAGES="ghcr.io/octocat/hello-world=ghcr.io/octocat/hello-world:8f2b1d9" \
  GITHUB_WORKSPACE="$WORK/workspace" GITHUB_EVENT_PATH="$WORK/deploy.json" GITHUB_REPOSITORY=octocat/hello-world
unset GITHUB_ACTIONS INPUT_TOKEN
KUBECTL="KUBECONFIG='$WORK/kubeconfig' kubectl"
BASELINE="$KUBECTL apply -k '$MANIFESTS' -n pr1 >/dev/null && $KUBECTL rollout status deployment/web -n pr1 --timeout=30s >/dev/null"
BASELINE_NAME="baseline (kubectl apply -k; rollout status)"
NAME=kubectl
TITLE="One kubectl deploy of the review-app example"

if [ "$SET" = objects ]; then
  mkdir -p "$WORK/workspace/objects"
  BASELINE="$KUBECTL apply -f '$WORK/workspace/objects' -n pr1 >/dev/null"
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
    BASELINE="$BASELINE && $KUBECTL rollout status deployment/app$i -n pr1 --timeout=30s >/dev/null"
  done
  export INPUT_MANIFESTS=objects INPUT_IMAGES="ghcr.io/octocat/hello-world=ghcr.io/octocat/hello-world:8f2b1d9"
  BASELINE_NAME="baseline (kubectl apply -f; 5x rollout status)"
  NAME=kubectl-objects
  TITLE="One kubectl deploy of 20 objects (5 Deployments)"
fi

# A third line for reading the gap: the baseline with a cold discovery cache, as on a fresh
# hosted runner (kubectl's cache in ~/.kube/cache survives between the baseline's runs here;
# the runner starts every run with an empty private cache, shared by its kubectl calls).
COLD="CACHE=\$(mktemp -d); ${BASELINE//kubectl /kubectl --cache-dir \$CACHE }; rm -rf \$CACHE"
hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-json "$RESULTS_DIR/$NAME.json" \
  -n "runner (kubectl handler)" "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s >/dev/null" \
  -n "$BASELINE_NAME" "$BASELINE" \
  -n "$BASELINE_NAME, cold discovery cache" "$COLD" \
  >/dev/null

report "$TITLE (median of $RUNS runs)" "$RESULTS_DIR/$NAME.json"
jq -r '"  baseline with a cold discovery cache: median \(.results[2].median * 10000 | round / 10) ms; runner / cold baseline: \((.results[0].median / .results[2].median) * 100 | round / 100)x"' "$RESULTS_DIR/$NAME.json"
calls() { strace -f -e trace=execve -o "$WORK/exec.txt" bash -c "$1" >/dev/null 2>&1; grep 'execve("[^"]*/kubectl"' "$WORK/exec.txt" | grep -c '= 0$'; }
runner_calls="$(calls "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s")"
baseline_calls="$(calls "$BASELINE")"
echo "  kubectl processes: runner $runner_calls, baseline $baseline_calls"
table_row "$NAME" "$RESULTS_DIR/$NAME.json" "kubectl processes: runner $runner_calls, baseline $baseline_calls" >/dev/null
