#!/usr/bin/env bash
# Shared by every benchmark under bench/: one shape for all of them.
#   - each benchmark compares the runner with a baseline, side by side in one hyperfine run;
#   - it prints the median of each (several runs after warm-up) and their ratio;
#   - it talks to loopback only and stops by itself.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$REPO_DIR/bench/results"
mkdir -p "$RESULTS_DIR"

require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: '$tool' is missing (apt-get install -y $tool)" >&2; exit 1; }
  done
}

# Builds the runner once (Release) and prints the path of its dll.
build_runner() {
  dotnet build "$REPO_DIR/src/DeployRunner" -c Release --nologo -v quiet >/dev/null
  echo "$REPO_DIR/src/DeployRunner/bin/Release/net10.0/DeployRunner.dll"
}

# Starts the loopback fake GitHub API; sets FAKE_PID and FAKE_URL.
start_fake_github() {
  local status="${1:-403}"
  local port_file
  port_file="$(mktemp)"
  python3 "$BENCH_DIR/fake_github.py" "$status" > "$port_file" &
  FAKE_PID=$!
  for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.05; done
  FAKE_URL="http://127.0.0.1:$(head -n1 "$port_file")"
  rm -f "$port_file"
  trap 'kill "$FAKE_PID" 2>/dev/null || true' EXIT
}

# report NAME JSON: prints the medians of the two commands of a hyperfine JSON export and their ratio.
report() {
  local name="$1" json="$2"
  jq -r --arg name "$name" '
    .results as $r
    | ($r[0].median * 1000) as $a | ($r[1].median * 1000) as $b
    | "\n\($name)\n"
      + "  \($r[0].command): median \($a | . * 10 | round / 10) ms (\($r[0].times | length) runs)\n"
      + "  \($r[1].command): median \($b | . * 10 | round / 10) ms (\($r[1].times | length) runs)\n"
      + "  ratio: \(($a / $b) * 100 | round / 100)x the baseline"' "$json"
}
