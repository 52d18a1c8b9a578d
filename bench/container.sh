#!/usr/bin/env bash
# Image size and start-up time of the action's image, side by side with a baseline.
#   - size: the whole image, the app's own layer, the base image;
#   - `docker run` to the in_progress request at a loopback API, against a plain `docker run`
#     of the base image posting one status with curl (the least any Docker action can do);
#   - the Native AOT binary outside Docker, process start to the in_progress request, against
#     curl posting the same request (target: within 30 ms).
# The API answers 422 so each command ends right after that request (reject_statuses.py).
# Needs: a Docker engine (tests/infra/docker-engine.sh), the base images or their stand-ins
# (tests/infra/standin-images.sh), hyperfine, python3. Results go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
image=deployrunner:bench
base=$(awk '/^FROM / {b=$2} END {print b}' Dockerfile)   # the runtime stage's base
out=bench/results
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "No Docker engine: run tests/infra/docker-engine.sh" >&2; exit 1; }

echo "==> Building $image"
docker build --network host -q -t "$image" . >/dev/null
[ -x artifacts/aot/DeployRunner ] || dotnet publish src/DeployRunner -c Release -r linux-x64 --nologo -v quiet -o artifacts/aot

python3 bench/reject_statuses.py > "$out/.port" &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$out/.port" ] && break; sleep 0.1; done
api="http://127.0.0.1:$(cat "$out/.port")"

work=$(mktemp -d)
trap 'kill $api_pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/workflow" "$work/file_commands" "$work/home" "$work/workspace"
cp examples/events/deploy.json "$work/workflow/event.json"
: > "$work/file_commands/out"; : > "$work/file_commands/state"; : > "$work/file_commands/summary"
body='{"state":"in_progress","description":"Deploying main to production","log_url":"https://github.com/octocat/hello-world/actions/runs/1"}'
statuses="$api/repos/octocat/hello-world/deployments/4242424242/statuses"

export INPUT_TOKEN=bench-token INPUT_HANDLER=shell INPUT_SCRIPT=true INPUT_TIMEOUT=30m GITHUB_ACTIONS=true \
  GITHUB_API_URL="$api" GITHUB_REPOSITORY=octocat/hello-world GITHUB_RUN_ID=1

run_action="docker run --rm --workdir /github/workspace --network host \
 -e INPUT_TOKEN -e INPUT_HANDLER -e INPUT_SCRIPT -e INPUT_TIMEOUT -e GITHUB_ACTIONS -e GITHUB_API_URL -e GITHUB_REPOSITORY -e GITHUB_RUN_ID \
 -e GITHUB_EVENT_PATH=/github/workflow/event.json -e GITHUB_OUTPUT=/github/file_commands/out -e GITHUB_STATE=/github/file_commands/state \
 -e GITHUB_STEP_SUMMARY=/github/file_commands/summary -e HOME=/github/home \
 -v $work/home:/github/home -v $work/workflow:/github/workflow -v $work/file_commands:/github/file_commands -v $work/workspace:/github/workspace \
 $image"
run_base="docker run --rm --network host --entrypoint curl $image -s -o /dev/null -X POST -H 'Authorization: token bench-token' -H 'Content-Type: application/json' -d '$body' $statuses"

export GITHUB_EVENT_PATH="$PWD/examples/events/deploy.json" GITHUB_OUTPUT="$work/file_commands/out" \
  GITHUB_STATE="$work/file_commands/state" GITHUB_STEP_SUMMARY="$work/file_commands/summary"
run_aot="artifacts/aot/DeployRunner"
run_curl="curl -s -o /dev/null -X POST -H 'Authorization: token bench-token' -H 'Content-Type: application/json' -d '$body' $statuses"

echo "==> docker run to in_progress ($runs runs each)"
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$out/docker-start.json" \
  -n "action image: docker run -> in_progress" "$run_action" \
  -n "same image, curl posts one status (baseline)" "$run_base" >/dev/null

echo "==> process start to in_progress, outside Docker ($((runs * 5)) runs each)"
hyperfine -N -i --warmup 5 --runs "$((runs * 5))" --export-json "$out/process-start.json" \
  -n "AOT binary: start -> in_progress" "$run_aot" \
  -n "curl posts one status (baseline)" "$run_curl" >/dev/null

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$1"; }
size_mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }
image_size=$(docker image inspect -f '{{.Size}}' "$image")
base_size=$(docker image inspect -f '{{.Size}}' "$base")
app_layer=$(docker history --no-trunc --human=false --format '{{.Size}}\t{{.CreatedBy}}' "$image" | awk -F'\t' '/deploy-runner / && /COPY/ {print $1; exit}')
kubectl_layer=$(docker history --no-trunc --human=false --format '{{.Size}}\t{{.CreatedBy}}' "$image" | awk -F'\t' '/kubectl/ && /COPY/ {print $1; exit}')

a=$(median "$out/docker-start.json" "action image: docker run -> in_progress")
b=$(median "$out/docker-start.json" "same image, curl posts one status (baseline)")
c=$(median "$out/process-start.json" "AOT binary: start -> in_progress")
d=$(median "$out/process-start.json" "curl posts one status (baseline)")
{
  echo "| measure | ours | baseline | ratio |"
  echo "| --- | ---: | ---: | ---: |"
  printf '| `docker run` to in_progress (median, %s runs) | %.0f ms | %.0f ms (curl in the same image) | %.2f |\n' "$runs" "$a" "$b" "$(echo "$a / $b" | bc -l)"
  printf '| process start to in_progress, no Docker (median, %s runs) | %.1f ms | %.1f ms (curl) | %.2f |\n' "$((runs * 5))" "$c" "$d" "$(echo "$c / $d" | bc -l)"
  printf '| image size | %s MB | %s MB (base image) | %.2f |\n' "$(size_mb "$image_size")" "$(size_mb "$base_size")" "$(echo "$image_size / $base_size" | bc -l)"
  printf '| the app'"'"'s own layer (AOT binary) | %s MB | | |\n' "$(size_mb "$app_layer")"
  printf '| kubectl layer | %s MB | | |\n' "$(size_mb "$kubectl_layer")"
} | tee "$out/container.md"
