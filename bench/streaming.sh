#!/usr/bin/env bash
# Streaming a chatty script's output: the runner (shell handler, local mode) against the same
# script piped to `cat`. Prints the wall-time ratio, user and system time of each side, the write
# system calls each side makes (strace -c), and the runner's peak memory for 1,000 lines,
# 1,000,000 lines and one 1 GB line without a newline (which the runner cuts at 64 KiB), with the
# host's L3 cache and the load (the GC sizes its budget from the cache).
# Usage: bench/streaming.sh [RUNS]   (BENCH_BUILD=framework for the framework-dependent build;
# BENCH_L3_CACHE=266240K measures the memory as on a host with a 260 MiB L3: common.sh)
source "$(dirname "$0")/common.sh"
require hyperfine jq strace /usr/bin/time

RUNS="${1:-10}"
RUNNER="$(runner_command)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
EVENT="$REPO_DIR/examples/events/deploy.json"
unset GITHUB_ACTIONS INPUT_TOKEN

# 1,000,000 lines of 38 bytes (38 MB), as a build log would print them; each side reads the
# script text from a file (no quoting games in hyperfine's command lines).
echo "seq -f '%037.0f' 1 1000000" > "$WORK/million"
echo "seq -f '%037.0f' 1 1000" > "$WORK/thousand"
echo "head -c 1073741824 /dev/zero | tr '\\0' x; echo" > "$WORK/gigabyte-line"

cat > "$WORK/runner.sh" <<RUNNER_SH
#!/usr/bin/env bash
cd '$WORK' && exec $RUNNER --event '$EVENT' --skip-superseded false --script "\$(cat "$WORK/\$1")"
RUNNER_SH
cat > "$WORK/baseline.sh" <<BASELINE_SH
#!/usr/bin/env bash
bash --noprofile --norc -e -o pipefail -c "\$(cat "$WORK/\$1")" | cat
BASELINE_SH
chmod +x "$WORK/runner.sh" "$WORK/baseline.sh"

# One checked run, so a broken setup fails loudly instead of timing an error.
lines="$("$WORK/runner.sh" million | grep -c '^[0-9]\{37\}$')"
[ "$lines" = 1000000 ] || { echo "the runner passed on $lines of 1000000 lines" >&2; exit 1; }

host_line
interleaved_hyperfine "$RUNS" 1 "$RESULTS_DIR/streaming.json" \
  -n "runner (1,000,000 lines)" "$WORK/runner.sh million" \
  -n "baseline (bash | cat)" "$WORK/baseline.sh million" >/dev/null

report "A script printing 1,000,000 lines (38 MB), median of $RUNS runs" "$RESULTS_DIR/streaming.json"
jq -r '.results[] | "  \(.command): user \(.user * 100 | round / 100) s, system \(.system * 100 | round / 100) s (means)"' "$RESULTS_DIR/streaming.json"
added=$(jq '(.results[0].median - .results[1].median) * 1000 | round' "$RESULTS_DIR/streaming.json")
echo "  added over cat: $added ms"

# System calls: every process of each side (-f), summed.
writes() { strace -f -c -o "$WORK/strace.txt" "$@" >/dev/null 2>&1; awk '$NF == "write" {print $4}' "$WORK/strace.txt"; }
runner_writes="$(writes "$WORK/runner.sh" million)"
baseline_writes="$(writes "$WORK/baseline.sh" million)"
echo "  write system calls: runner $runner_writes, baseline $baseline_writes (strace -f -c)"

peak_thousand="$(peak_rss_mb "$WORK/runner.sh" thousand)"
peak_million="$(peak_rss_mb "$WORK/runner.sh" million)"
peak_gigabyte="$(peak_rss_mb "$WORK/runner.sh" gigabyte-line)"
echo "  runner peak memory: $peak_thousand MB (1,000 lines), $peak_million MB (1,000,000 lines), $peak_gigabyte MB (one 1 GB line); $(host_cache)"
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

system_ratio=$(jq '(.results[0].system / .results[1].system) * 100 | round / 100' "$RESULTS_DIR/streaming.json")
table_row streaming "$RESULTS_DIR/streaming.json" \
  "+$added ms over cat; system time ${system_ratio}x; writes $runner_writes vs $baseline_writes; peak $peak_thousand / $peak_million / $peak_gigabyte MB (1k lines / 1M lines / 1 GB line)" >/dev/null
