#!/usr/bin/env bash
# ssh at fleet scale: 200 servers on loopback (13 sshd processes, 16 addresses each), `sleep 1`
# on each, at most 50 at a time, against OpenSSH with the same parallelism (`xargs -P 50 ssh`).
# Prints the wall-time ratio, the runner's peak memory, the most connections it held open while
# the scripts ran, which key exchange each side negotiated, and the CPU time each side spent.
# Usage: sudo bench/ssh-fleet.sh [RUNS] [SERVERS] [PARALLEL]   (BENCH_BUILD=framework for the
# framework-dependent build; BENCH_L3_CACHE=266240K measures the memory as on a host with a 260 MiB
# L3: common.sh). bench/ssh-fanout.sh is the same with 20 servers, all at once.
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/ssh-servers.sh"
require hyperfine jq ssh /usr/bin/time ss

RUNS="${1:-5}"
SERVERS="${2:-200}"
PARALLEL="${3:-50}"
NAME="${BENCH_NAME:-ssh-fleet}"
RUNNER="$(runner_command)"
trap 'stop_fleet; rm -rf "$WORK"' EXIT
start_fleet "$SERVERS"
# When the scripts start, seen from the hosts: each script first appends its start time to a file
# (the hosts are this machine), so both sides' first and last start can be compared.
write_ssh_sides "$RUNNER" "$PARALLEL" "date +%s%N >> $WORK/starts; sleep 1"
mv "$WORK/runner.sh" "$WORK/runner-starts.sh"; mv "$WORK/openssh.sh" "$WORK/openssh-starts.sh"
write_ssh_sides "$RUNNER" "$PARALLEL" 'sleep 1'

# One checked run each (and the key exchange each side negotiates), so a broken setup fails loudly.
for log in "$WORK"/sshd*.log; do : > "$log"; done
"$WORK/runner.sh" > "$WORK/runner.log" 2>&1 || { tail -20 "$WORK/runner.log"; exit 1; }
grep -q "\[$SERVERS/$SERVERS\]" "$WORK/runner.log" || { echo "the runner did not finish $SERVERS hosts:"; tail -20 "$WORK/runner.log"; exit 1; }
runner_kex="$(negotiated_kex)"
for log in "$WORK"/sshd*.log; do : > "$log"; done
"$WORK/openssh.sh" > /dev/null
openssh_kex="$(negotiated_kex)"

# Connections the runner holds open while the scripts run: sampled every 50 ms, the most seen
# once the first script started (the check phase opens every connection before that).
"$WORK/runner.sh" > "$WORK/runner.log" 2>&1 &
runner_pid=$!
most=0
while kill -0 "$runner_pid" 2>/dev/null; do
  if grep -q 'running the script' "$WORK/runner.log" 2>/dev/null; then
    open="$(ss -tnH state established "( dport = :$PORT )" | wc -l)"
    [ "$open" -gt "$most" ] && most="$open"
  fi
  sleep 0.05
done
wait "$runner_pid" || true

host_line
# Machine-wide CPU over each run: the servers are this machine, so what the clients did not spend
# is (nearly all) the sshd sessions' share, which is how the two sides' server-side work compares.
cpu0="$(machine_cpu_seconds)"
with_host_cache /usr/bin/time -f '%U %S %M' -o "$WORK/runner.time" "$WORK/runner.sh" >/dev/null 2>&1 || true
cpu1="$(machine_cpu_seconds)"
/usr/bin/time -f '%U %S' -o "$WORK/openssh.time" "$WORK/openssh.sh" >/dev/null 2>&1 || true
cpu2="$(machine_cpu_seconds)"
runner_cpu="$(tail -1 "$WORK/runner.time")"
openssh_cpu="$(tail -1 "$WORK/openssh.time")"
peak_mb="$(awk '{printf "%.0f", $3 / 1024}' <<<"$runner_cpu")"
# whole SIDE-CPU CLIENT-USER CLIENT-SYS: "machine X s: client Y s, the rest (servers) Z s".
whole() { awk -v all="$1" -v u="$2" -v s="$3" 'BEGIN { printf "machine %.1f s: client %.1f s, the rest (sshd sessions, scripts) %.1f s", all, u + s, all - u - s }'; }
runner_whole="$(whole "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" $(cut -d' ' -f1,2 <<<"$runner_cpu"))"
openssh_whole="$(whole "$(awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { print b - a }')" $openssh_cpu)"

# starts SIDE: first, middle and last script start, in ms after the side was started.
starts() {
  rm -f "$WORK/starts"
  local t0
  t0="$(date +%s%N)"
  "$WORK/$1-starts.sh" >/dev/null 2>&1 || true
  sort -n "$WORK/starts" | awk -v t0="$t0" '{ s[NR] = ($1 - t0) / 1e6 } END { printf "first %.0f, median %.0f, last %.0f ms (%d scripts)", s[1], s[int((NR + 1) / 2)], s[NR], NR }'
}
runner_starts="$(starts runner)"
openssh_starts="$(starts openssh)"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
interleaved_hyperfine "$RUNS" 1 "$RESULTS_DIR/$NAME.json" \
  -n "runner ($SERVERS hosts, max-parallel $PARALLEL)" "$WORK/runner.sh" \
  -n "baseline (OpenSSH, xargs -P $PARALLEL)" "$WORK/openssh.sh"

report "$SERVERS servers on loopback, sleep 1 each, $PARALLEL at a time (median of $RUNS interleaved runs)" "$RESULTS_DIR/$NAME.json"
echo "  load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  scripts started (after the side's start): runner $runner_starts; OpenSSH $openssh_starts"
echo "  runner peak memory: $peak_mb MB ($(host_cache)); connections open while scripts ran: at most $most"
echo "  CPU (user sys, s): runner $(cut -d' ' -f1,2 <<<"$runner_cpu") (client only); OpenSSH clients $openssh_cpu"
echo "  CPU of one run, machine-wide: runner $runner_whole; OpenSSH $openssh_whole"
echo "  key exchange negotiated: runner $runner_kex; OpenSSH $openssh_kex"
table_row "$NAME" "$RESULTS_DIR/$NAME.json" \
  "$SERVERS servers, max-parallel $PARALLEL; peak $peak_mb MB; $most connections open in the run phase; kex runner: $runner_kex, OpenSSH: $openssh_kex" >/dev/null
