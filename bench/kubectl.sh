#!/usr/bin/env bash
# The kubectl handler's overhead: one deploy of the review-app example (kustomize build, image
# substitution, namespace check, apply, rollout status) through the runner, against a baseline of
# the same kubectl commands typed by hand (`kubectl apply -k` then `kubectl rollout status`).
# Both talk to the same loopback fake API server, where every rollout is complete at once.
# No token and not in Actions: the runner prints its statuses instead of posting them.
# Usage: bench/kubectl.sh [RUNS]     (RUNNER_CMD overrides the runner command, e.g. an AOT binary)
source "$(dirname "$0")/common.sh"
require hyperfine jq python3 dotnet kubectl

RUNS="${1:-10}"
DLL="$(build_runner)"
RUNNER_CMD="${RUNNER_CMD:-dotnet $DLL}"

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

hyperfine --warmup 2 --runs "$RUNS" --shell=bash --export-json "$RESULTS_DIR/kubectl.json" \
  -n "runner ($RUNNER_CMD, kubectl handler)" "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s >/dev/null" \
  -n "baseline (kubectl apply -k; rollout status)" \
  "KUBECONFIG='$WORK/kubeconfig' kubectl apply -k '$MANIFESTS' -n pr1 >/dev/null && KUBECONFIG='$WORK/kubeconfig' kubectl rollout status deployment/web -n pr1 --timeout=30s >/dev/null" \
  >/dev/null

report "One kubectl deploy of the review-app example (median of $RUNS runs)" "$RESULTS_DIR/kubectl.json"
