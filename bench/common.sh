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

# interleaved_hyperfine RUNS WARMUP JSON HYPERFINE-ARGS...: hyperfine, one round of one run per
# command, RUNS times, so that the commands take turns (hyperfine alone runs all of one command's
# runs, then the next's: a load that changes meanwhile, as on a shared machine, lands on one side
# only). The rounds are merged into one export in hyperfine's shape: every time of a command, its
# median, its mean user and system time. WARMUP runs of each command precede the first round.
interleaved_hyperfine() {
  local runs="$1" warmup="$2" json="$3" rounds
  shift 3
  rounds="$(mktemp -d)"
  for round in $(seq 1 "$runs"); do
    # (one "Ignoring non-zero exit code" warning per round would flood the output)
    hyperfine --warmup "$warmup" --runs 1 --style none --export-json "$rounds/$round.json" "$@" 2>&1 >/dev/null \
      | { grep -v -e 'Ignoring non-zero exit code' -e '^ *$' >&2 || true; }
    warmup=0
  done
  jq -s '{results: [range(0; .[0].results | length) as $k
    | [.[].results[$k]] as $rounds
    | ([$rounds[].times[]] | sort) as $t | ($t | length) as $n
    | {command: $rounds[0].command, times: $t,
       median: (if $n % 2 == 1 then $t[($n - 1) / 2] else ($t[$n / 2 - 1] + $t[$n / 2]) / 2 end),
       user: ([$rounds[].user] | add / length), system: ([$rounds[].system] | add / length)}]}' \
    "$rounds"/*.json > "$json"
  rm -rf "$rounds"
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

# The runner command every benchmark measures: the Native AOT binary the image ships (published
# to artifacts/aot when missing or older than the sources), or the framework-dependent build with
# BENCH_BUILD=framework. RUNNER_CMD, when set, wins.
runner_command() {
  if [ -n "${RUNNER_CMD:-}" ]; then echo "$RUNNER_CMD"; return; fi
  if [ "${BENCH_BUILD:-aot}" = framework ]; then echo "dotnet $(build_runner)"; return; fi
  local binary="$REPO_DIR/artifacts/aot/DeployRunner"
  # Sources and project files only: obj/ holds generated .cs files every build rewrites, which
  # would republish (minutes) after any test build; a project file carries the baked GC settings.
  if [ ! -x "$binary" ] || [ -n "$(find "$REPO_DIR/src" \( -name obj -o -name bin \) -prune -o -newer "$binary" \( -name '*.cs' -o -name '*.csproj' \) -print -quit)" ]; then
    dotnet publish "$REPO_DIR/src/DeployRunner" -c Release -r linux-x64 --nologo -v quiet -o "$REPO_DIR/artifacts/aot" >/dev/null
  fi
  echo "$binary"
}

# table_row NAME JSON [NOTE]: one row of bench/all.sh's table (runner median, baseline median,
# ratio), written to bench/results/NAME.row. Uses the first two commands of a hyperfine export.
table_row() {
  local name="$1" json="$2" note="${3:-}"
  jq -r --arg name "$name" --arg note "$note" '
    .results as $r
    | def fmt(s): if s >= 1 then "\(s * 100 | round / 100) s" else "\(s * 10000 | round / 10) ms" end;
    "| \($name) | \(fmt($r[0].median)) | \(fmt($r[1].median)) | \(($r[0].median / $r[1].median) * 100 | round / 100)x | \($note) |"' \
    "$json" > "$RESULTS_DIR/$name.row"
  cat "$RESULTS_DIR/$name.row"
}

# The host's last-level cache, as .NET's GC reads it (sysfs, cpu0's L3: the GC sizes its youngest
# generation from it, so peak memory figures are only comparable between hosts with this line),
# and as sysconf reports it (which can differ on virtual machines).
host_cache() {
  local sysfs="/sys/devices/system/cpu/cpu0/cache/index3/size"
  echo "L3 $(cat "$sysfs" 2>/dev/null || echo unknown) (sysfs, what the GC reads), $(getconf LEVEL3_CACHE_SIZE 2>/dev/null | awk '{printf "%.0f MiB", $1 / 1048576}') (sysconf)${BENCH_L3_CACHE:+; runner memory measured with the GC seeing an L3 of $BENCH_L3_CACHE (BENCH_L3_CACHE)}"
}

# machine_cpu_seconds: CPU time the whole machine has spent busy since boot (all CPUs; user, nice,
# system, irq, softirq and steal from /proc/stat), in seconds. The difference over a run is what the
# run cost everywhere: on loopback that is the client and the servers together.
machine_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

# host_line: what every figure is printed with: cores, CPU, the cache, the load right now.
host_line() {
  echo "host: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(host_cache); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# with_host_cache CMD...: runs CMD as on a host whose L3 cache is BENCH_L3_CACHE (e.g. 266240K, a
# 260 MiB cache), when set: in a private mount namespace where every CPU's sysfs L3 size reads
# that value (root). This machine can then show what the runner's memory does on a host with a
# larger cache. Without BENCH_L3_CACHE, runs CMD as it is.
with_host_cache() {
  if [ -z "${BENCH_L3_CACHE:-}" ]; then "$@"; return; fi
  local fake status=0
  fake="$(mktemp)"
  echo "$BENCH_L3_CACHE" > "$fake"
  # shellcheck disable=SC2016
  unshare -m bash -c 'fake=$1; shift; for f in /sys/devices/system/cpu/cpu*/cache/index3/size; do mount --bind "$fake" "$f"; done; exec "$@"' \
    with-host-cache "$fake" "$@" || status=$?
  rm -f "$fake"
  return $status
}

# peak_rss_mb CMD...: the peak resident memory of a command (GNU time), in MB (as on a host with
# BENCH_L3_CACHE when set).
peak_rss_mb() {
  local out
  out="$(mktemp)"
  with_host_cache /usr/bin/time -f '%M' -o "$out" "$@" >/dev/null 2>&1 || true
  tail -n1 "$out" | awk '{printf "%.0f", $1 / 1024}'   # (a failed command's line comes first)
  rm -f "$out"
}
