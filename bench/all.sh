#!/usr/bin/env bash
# Every benchmark, then the whole table (runner, baseline, ratio per row) with the date and the
# machine, ready for docs/performance.md. Runs against the Native AOT binary (BENCH_BUILD=framework
# for the framework-dependent build). The ssh benchmarks start sshd: run as root.
# Usage: sudo bench/all.sh [RUNS]
source "$(dirname "$0")/common.sh"
RUNS="${1:-5}"
rm -f "$RESULTS_DIR"/*.row
runner_command >/dev/null   # publish once, before anything is timed

bash "$BENCH_DIR/startup.sh" "$((RUNS * 4))"
bash "$BENCH_DIR/streaming.sh" "$RUNS"
bash "$BENCH_DIR/ssh-streaming.sh" "$RUNS"
bash "$BENCH_DIR/kubectl.sh" "$RUNS"
bash "$BENCH_DIR/kubectl-objects.sh" "$RUNS"
bash "$BENCH_DIR/ssh-fanout.sh" "$RUNS"
bash "$BENCH_DIR/ssh-fleet.sh" "$RUNS"

echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg), build: ${BENCH_BUILD:-aot}"
echo
echo "| work | runner | baseline | ratio | notes |"
echo "| --- | --- | --- | --- | --- |"
for name in startup streaming ssh-streaming kubectl kubectl-objects ssh-fanout ssh-fleet; do
  [ -f "$RESULTS_DIR/$name.row" ] && cat "$RESULTS_DIR/$name.row"
done
