#!/usr/bin/env bash
# Time from starting the runner to its in_progress status being answered by a loopback fake,
# against a minimal baseline: curl POSTing the same status to the same fake.
# The fake answers 403, after which the runner stops at once (no retry, nothing deployed), so
# both commands measure "start -> in_progress request answered -> exit". The runner's default
# path also makes its skip-superseded list request first (the fake answers []): that round trip
# is part of what a user waits for, so it is measured.
# Usage: bench/startup.sh [RUNS]     (Native AOT binary by default; BENCH_BUILD=framework for the
# framework-dependent build; RUNNER_CMD overrides the runner command)
source "$(dirname "$0")/common.sh"
require hyperfine jq curl python3 dotnet

RUNS="${1:-20}"
RUNNER_CMD="$(runner_command)"
start_fake_github 403

WORK="$(mktemp -d)"
EVENT="$REPO_DIR/examples/events/deploy.json"
BODY='{"state":"in_progress","description":"Deploying main to production","log_url":"https://github.com/octocat/hello-world/actions/runs/1"}'
STATUS_URL="$FAKE_URL/repos/octocat/hello-world/deployments/4242424242/statuses"

export GITHUB_ACTIONS=true GITHUB_API_URL="$FAKE_URL" GITHUB_REPOSITORY=octocat/hello-world \
  GITHUB_RUN_ID=1 GITHUB_EVENT_PATH="$EVENT" GITHUB_WORKSPACE="$WORK" INPUT_TOKEN=bench-token INPUT_SCRIPT=true

interleaved_hyperfine "$RUNS" 3 "$RESULTS_DIR/startup.json" -N --ignore-failure \
  -n "runner ($RUNNER_CMD)" "$RUNNER_CMD" \
  -n "baseline (curl POST)" "curl -s -o /dev/null -X POST -H 'Authorization: token bench-token' -H 'Accept: application/vnd.github+json' -H 'Content-Type: application/json' -d '$BODY' $STATUS_URL" \
  >/dev/null

report "Start to in_progress (median of $RUNS runs)" "$RESULTS_DIR/startup.json"
table_row startup "$RESULTS_DIR/startup.json" "start, superseded check, in_progress answered, exit" >/dev/null
rm -rf "$WORK"
