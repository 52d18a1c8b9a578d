#!/usr/bin/env bash
# The action's image: its size (whole image, the app's own layer, the base) and the time from
# `docker run` to the in_progress status at a loopback fake, side by side with a plain
# `docker run` of the same image whose curl posts that one status (the least any Docker action
# can do: same image start, one request). The fake answers 403, so both end right after it.
# Usage: bench/container.sh [RUNS]
# Needs a Docker engine (tests/infra/docker-engine.sh) and the base images or their stand-ins
# (tests/infra/standin-images.sh). Process start outside Docker: RUNNER_CMD=artifacts/aot/DeployRunner bench/startup.sh
source "$(dirname "$0")/common.sh"
require hyperfine jq python3 docker
docker info >/dev/null 2>&1 || { echo "bench: no Docker engine (tests/infra/docker-engine.sh starts one)" >&2; exit 1; }

RUNS="${1:-20}"
IMAGE=deployrunner:bench
BASE=$(awk '/^FROM / {base=$2} END {print base}' "$REPO_DIR/Dockerfile")   # the runtime stage's base
docker build --network host -q -t "$IMAGE" "$REPO_DIR" >/dev/null
start_fake_github 403

WORK="$(mktemp -d)"
mkdir -p "$WORK/workflow" "$WORK/file_commands" "$WORK/home" "$WORK/workspace"
cp "$REPO_DIR/examples/events/deploy.json" "$WORK/workflow/event.json"
BODY='{"state":"in_progress","description":"Deploying main to production","log_url":"https://github.com/octocat/hello-world/actions/runs/1"}'
STATUS_URL="$FAKE_URL/repos/octocat/hello-world/deployments/4242424242/statuses"

export GITHUB_ACTIONS=true GITHUB_API_URL="$FAKE_URL" GITHUB_REPOSITORY=octocat/hello-world GITHUB_RUN_ID=1 \
  INPUT_TOKEN=bench-token INPUT_SCRIPT=true
ACTION="docker run --rm --workdir /github/workspace --network host \
 -e GITHUB_ACTIONS -e GITHUB_API_URL -e GITHUB_REPOSITORY -e GITHUB_RUN_ID -e INPUT_TOKEN -e INPUT_SCRIPT \
 -e GITHUB_EVENT_PATH=/github/workflow/event.json -e GITHUB_WORKSPACE=/github/workspace -e HOME=/github/home \
 -v $WORK/home:/github/home -v $WORK/workflow:/github/workflow -v $WORK/file_commands:/github/file_commands -v $WORK/workspace:/github/workspace \
 $IMAGE"
BASELINE="docker run --rm --network host --entrypoint curl $IMAGE -s -o /dev/null -X POST -H 'Authorization: token bench-token' -H 'Accept: application/vnd.github+json' -H 'Content-Type: application/json' -d '$BODY' $STATUS_URL"

hyperfine --warmup 3 --runs "$RUNS" -N --ignore-failure --export-json "$RESULTS_DIR/container.json" \
  -n "docker run of the action image" "$ACTION" \
  -n "baseline (docker run, curl POST)" "$BASELINE" \
  >/dev/null
report "docker run to in_progress (median of $RUNS runs)" "$RESULTS_DIR/container.json"

layer() { docker history --no-trunc --human=false --format '{{.Size}}	{{.CreatedBy}}' "$IMAGE" | awk -F'\t' -v pat="$1" '$2 ~ pat {print $1; exit}'; }
mb() { awk -v b="${1:-0}" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
echo
echo "Image size"
echo "  whole image:              $(mb "$(docker image inspect -f '{{.Size}}' "$IMAGE")")"
echo "  base ($BASE): $(mb "$(docker image inspect -f '{{.Size}}' "$BASE")")"
echo "  apt tools layer:          $(mb "$(layer 'apt-get install')")"
echo "  kubectl layer:            $(mb "$(layer 'in /usr/local/bin/kubectl')")"
echo "  the app's own layer:      $(mb "$(layer 'in /usr/local/bin/deploy-runner $')")"
rm -rf "$WORK"
