#!/usr/bin/env bash
# The ssh handler's per-host prefixed output: 20 servers on loopback each printing 50,000 lines
# (38 bytes each), all at once, against OpenSSH (`xargs -P 20`, each line prefixed with its host
# by sed, as the runner prefixes it). Prints the ratio and the runner's peak memory, with the host's
# L3 cache and the load.
# Usage: sudo bench/ssh-streaming.sh [RUNS]   (BENCH_BUILD=framework for the framework-dependent
# build; BENCH_L3_CACHE=266240K measures the memory as on a host with a 260 MiB L3: common.sh)
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/ssh-servers.sh"
require hyperfine jq ssh /usr/bin/time

RUNS="${1:-5}"
RUNNER="$(runner_command)"
trap 'stop_fleet; rm -rf "$WORK"' EXIT
start_fleet 20
write_ssh_sides "$RUNNER" 20 "seq -f '%037.0f' 1 50000" prefix

# One checked run: every host's 50,000 lines, none lost or merged.
"$WORK/runner.sh" > "$WORK/runner.log" 2>&1 || { tail -20 "$WORK/runner.log"; exit 1; }
lines="$(grep -c ' | [0-9]\{37\}$' "$WORK/runner.log")"
[ "$lines" = 1000000 ] || { echo "the runner passed on $lines of 1,000,000 lines" >&2; exit 1; }

# Peak memory moves with the load (SSH.NET takes in what the servers send whether or not the
# runner's readers keep up; see docs/performance.md), so three samples, all printed.
host_line
peak_mb="$(for _ in 1 2 3; do peak_rss_mb "$WORK/runner.sh"; echo; done | sort -n | paste -sd/ | sed 's|/| / |g')"
interleaved_hyperfine "$RUNS" 1 "$RESULTS_DIR/ssh-streaming.json" \
  -n "runner (20 hosts x 50,000 lines)" "$WORK/runner.sh" \
  -n "baseline (OpenSSH xargs -P 20 | sed prefix)" "$WORK/openssh.sh" >/dev/null
report "20 hosts x 50,000 lines over ssh (median of $RUNS runs)" "$RESULTS_DIR/ssh-streaming.json"
jq -r '.results[] | "  \(.command): user \(.user * 100 | round / 100) s, system \(.system * 100 | round / 100) s (means)"' "$RESULTS_DIR/ssh-streaming.json"
echo "  runner peak memory (three runs, lowest first): $peak_mb MB; $(host_cache)"
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
table_row ssh-streaming "$RESULTS_DIR/ssh-streaming.json" "20 hosts x 50,000 lines, prefixed per host; peak $peak_mb MB" >/dev/null
