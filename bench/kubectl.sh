#!/usr/bin/env bash
# The kubectl handler's overhead: one deploy of the review-app example (kustomize build, image
# substitution, namespace check, apply, rollout status) through the runner, against a baseline of
# the same kubectl commands typed by hand (`kubectl apply -k` then `kubectl rollout status`).
# Both talk to the same loopback fake API server, where every rollout is complete at once.
# No token and not in Actions: the runner prints its statuses instead of posting them.
# With `objects` (bench/kubectl-objects.sh) it deploys a set of 20 plain manifests instead (5
# Deployments, 5 Services, 5 ConfigMaps, 5 Ingresses), against `kubectl apply -f` and one
# `rollout status` per Deployment.
# With PEER_K8S_DEPLOY set (the example only) it also runs the peer users would pick,
# Azure/k8s-deploy v7.0.0, on the example's rendered manifests (`kubectl kustomize`, done once
# before timing) in a namespace of its own, as the Actions runner runs a Node action: `node
# lib/index.js` with the action's inputs as INPUT_* variables (action.yml's defaults filled in,
# `pull-images: false`: no registry here) and the GITHUB_*/RUNNER_* variables of a job, and a cold
# kubectl cache (a fresh HOME) each run. Build it outside this repository, from its tag's commit:
#   git clone https://github.com/Azure/k8s-deploy /tmp/k8s-deploy && cd /tmp/k8s-deploy \
#     && git checkout 51ca02a8b7225fbd0924aac359c5b336a5f1e5b4 && npm ci && npm run build
#   PEER_K8S_DEPLOY=/tmp/k8s-deploy bench/kubectl.sh
# (the tag v7.0.0 is that commit; `npm run build` rewrites lib/index.js from src/ with esbuild).
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
# pr2, the peer into pr3. (In one namespace, the baseline's `apply` drops the runner's ownership marks, and every
# runner deploy after it is refused by the ownership check, as it should be.) (`create -f`, not
# `create namespace`: typed create commands send protobuf, which the fake does not speak.)
for ns in pr1 pr2 pr3; do
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

# The peer (Azure/k8s-deploy), run as the Actions runner runs a Node action.
PEER=()
if [ -n "${PEER_K8S_DEPLOY:-}" ] && [ "$SET" = example ]; then
  [ -f "$PEER_K8S_DEPLOY/lib/index.js" ] && [ -f "$PEER_K8S_DEPLOY/action.yml" ] \
    || { echo "PEER_K8S_DEPLOY=$PEER_K8S_DEPLOY: no built Azure/k8s-deploy there (lib/index.js, action.yml); see the top of $0" >&2; exit 1; }
  require node
  mkdir -p "$WORK/peer" "$WORK/workspace/rendered"
  KUBECONFIG="$WORK/kubeconfig" kubectl kustomize "$MANIFESTS" > "$WORK/workspace/rendered/review-app.yaml"
  # action.yml's defaults, as the Actions runner fills them in (INPUT_ + the name upper-cased,
  # hyphens kept); then the inputs a workflow would give.
  python3 - "$PEER_K8S_DEPLOY/action.yml" > "$WORK/peer/inputs" <<'PY'
import re, sys
name = None
for line in open(sys.argv[1]):
    m = re.match(r"^   ([a-z-]+):\s*$", line)
    if m: name = m.group(1); continue
    m = re.match(r"^      default:\s*(.*?)\s*$", line)
    if m and name and "${{" not in m.group(1):
        print(f"INPUT_{name.upper()}={m.group(1).strip(chr(39)).strip(chr(34))}")
PY
  cat >> "$WORK/peer/inputs" <<INPUTS
INPUT_MANIFESTS=rendered
INPUT_NAMESPACE=pr3
INPUT_IMAGES=ghcr.io/octocat/hello-world:8f2b1d9
INPUT_PULL-IMAGES=false
INPUT_TOKEN=ghs_benchTokenNeverSent
INPUTS
  cat > "$WORK/peer/run.sh" <<'PEER_SH'
#!/usr/bin/env bash
# One peer deploy as a job step: a fresh HOME (so a cold kubectl cache) and RUNNER_TEMP.
set -euo pipefail
work=@WORK@
job="$(mktemp -d)"
trap 'rm -rf "$job"' EXIT
mkdir -p "$job/home" "$job/temp"
: > "$job/output"; : > "$job/state"; : > "$job/summary"
mapfile -t inputs < "$work/peer/inputs"
cd "$work/workspace"
env -i PATH="$PATH" HOME="$job/home" KUBECONFIG="$work/kubeconfig" RUNNER_TEMP="$job/temp" \
  CI=true GITHUB_ACTIONS=true GITHUB_WORKFLOW=.github/workflows/deploy.yml GITHUB_REPOSITORY=octocat/hello-world \
  GITHUB_SHA=8f2b1d9a5c3785ed8d6a35868bc169f07e40e889 GITHUB_REF=refs/heads/main GITHUB_RUN_ID=7001 GITHUB_RUN_ATTEMPT=1 \
  GITHUB_RUN_NUMBER=1 GITHUB_JOB=deploy GITHUB_ACTOR=octocat GITHUB_EVENT_NAME=deployment GITHUB_EVENT_PATH="$work/deploy.json" \
  GITHUB_SERVER_URL=https://github.com GITHUB_API_URL=http://127.0.0.1:9 GITHUB_WORKSPACE="$work/workspace" \
  GITHUB_OUTPUT="$job/output" GITHUB_STATE="$job/state" GITHUB_STEP_SUMMARY="$job/summary" \
  "${inputs[@]}" node @PEER@/lib/index.js
PEER_SH
  sed -i -e "s|@WORK@|'$WORK'|" -e "s|@PEER@|'$PEER_K8S_DEPLOY'|" "$WORK/peer/run.sh"
  chmod +x "$WORK/peer/run.sh"
  # One checked run: the peer must succeed (no ::error::, no warning that annotating failed) and
  # its post-rollout calls must find what they look for (`describe deployment` names the new
  # ReplicaSet, `get pods` lists its pods). (v7.0.0 then reads the ReplicaSet's name from that
  # describe line as ":", the word after "NewReplicaSet", so it annotates no pod: its bug, with
  # any kubectl that prints "NewReplicaSet:  NAME"; the calls are made and timed all the same.)
  "$WORK/peer/run.sh" > "$WORK/peer/check.log" 2>&1 || { tail -20 "$WORK/peer/check.log"; exit 1; }
  if grep -q -e '^::error::' -e '^::warning::Failed to' "$WORK/peer/check.log"; then grep -e '^::error::' -e '^::warning::Failed to' "$WORK/peer/check.log" >&2; exit 1; fi
  KUBECONFIG="$WORK/kubeconfig" kubectl describe deployment web -n pr3 | grep -q '^NewReplicaSet: *web-[0-9a-f]* (1/1 replicas created)' \
    && KUBECONFIG="$WORK/kubeconfig" kubectl get pods -n pr3 -o json | jq -e '[.items[].metadata.ownerReferences[]? | select(.kind == "ReplicaSet")] | length > 0' >/dev/null \
    || { echo "the fake API did not give the peer a ReplicaSet and its pods" >&2; exit 1; }
  PEER=(-n "peer (Azure/k8s-deploy v7.0.0, node $(node --version))" "$WORK/peer/run.sh >/dev/null")
fi

# A third line for reading the gap: the baseline with a cold discovery cache, as on a fresh
# hosted runner (kubectl's cache in ~/.kube/cache survives between the baseline's runs here;
# the runner starts every run with an empty private cache, shared by its kubectl calls).
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
COLD="CACHE=\$(mktemp -d); ${BASELINE//kubectl /kubectl --cache-dir \$CACHE }; rm -rf \$CACHE"
interleaved_hyperfine "$RUNS" 2 "$RESULTS_DIR/$NAME.json" --shell=bash \
  -n "runner (kubectl handler)" "cd '$WORK/workspace' && $RUNNER_CMD --rollout-timeout 30s >/dev/null" \
  -n "$BASELINE_NAME" "$BASELINE" \
  -n "$BASELINE_NAME, cold discovery cache" "$COLD" "${PEER[@]}"
echo "load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (timings provisional on a shared machine)"

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
note="kubectl processes: runner $(count "$runner_calls"), baseline $(count "$baseline_calls")"
if [ ${#PEER[@]} -gt 0 ]; then
  jq -r '"  peer (Azure/k8s-deploy): median \(.results[3].median * 10000 | round / 10) ms; runner / peer: \((.results[0].median / .results[3].median) * 100 | round / 100)x (goal <= 0.5x)"' "$RESULTS_DIR/$NAME.json"
  peer_calls="$(calls "$WORK/peer/run.sh" peer)"
  echo "$peer_calls"
  note="$note, peer $(count "$peer_calls"); runner / peer $(jq '(.results[0].median / .results[3].median) * 100 | round / 100' "$RESULTS_DIR/$NAME.json")x (peer $(jq '.results[3].median * 1000 | round' "$RESULTS_DIR/$NAME.json") ms)"
fi
table_row "$NAME" "$RESULTS_DIR/$NAME.json" "$note" >/dev/null
