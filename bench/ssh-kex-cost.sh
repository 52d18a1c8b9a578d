#!/usr/bin/env bash
# CPU cost of SSH connects in the runner (SSH.NET), per key exchange: the runner's CPU time
# (user + system) for N hosts running `true`, minus its CPU time for 1 host, divided by N - 1.
# The runner opens two connections per host: a check connection (curve25519-sha256 first) and a
# run connection (default order). Once with the servers' default key exchange (the run
# connection negotiates sntrup761x25519-sha512), once with the servers limited to
# curve25519-sha256 (both connections curve25519), and the OpenSSH client (one connection per
# host) for comparison. The cost of one sntrup761 connect is then the first per-host figure minus
# half the second.
# Usage: sudo bench/ssh-kex-cost.sh [HOSTS] [REPEATS]
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/ssh-servers.sh"
require ssh /usr/bin/time

N="${1:-20}"
REPEATS="${2:-3}"
RUNNER="$(runner_command)"
trap 'stop_fleet; rm -rf "$WORK"' EXIT

# cpu_seconds CMD: the smallest user+system time of REPEATS runs (the least disturbed by others).
cpu_seconds() {
  local best=""
  for _ in $(seq "$REPEATS"); do
    local t
    /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    t="$(awk '{print $1 + $2}' "$WORK/time")"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best="$t"; fi
  done
  echo "$best"
}

measure() { # label [sshd options...]
  local label="$1"; shift
  stop_fleet
  start_fleet "$N" "$@"
  write_ssh_sides "$RUNNER" "$N" true
  local all one openssh_all kex
  all="$(cpu_seconds "$WORK/runner.sh")"
  for log in "$WORK"/sshd*.log; do : > "$log"; done
  "$WORK/runner.sh" >/dev/null 2>&1
  kex="$(negotiated_kex)"
  openssh_all="$(cpu_seconds "$WORK/openssh.sh")"
  head -n1 "$HOSTS_FILE" > "$WORK/hosts.one"; cp "$HOSTS_FILE" "$WORK/hosts.all"; cp "$WORK/hosts.one" "$HOSTS_FILE"
  one="$(cpu_seconds "$WORK/runner.sh")"
  local openssh_one
  openssh_one="$(cpu_seconds "$WORK/openssh.sh")"
  cp "$WORK/hosts.all" "$HOSTS_FILE"
  awk -v l="$label" -v k="$kex" -v a="$all" -v o="$one" -v oa="$openssh_all" -v oo="$openssh_one" -v n="$N" 'BEGIN {
    printf "%s (negotiated: %s)\n  runner: %.1f ms CPU per host, check + run connection (%.2f s for %d hosts, %.2f s for 1)\n  OpenSSH client: %.1f ms CPU per connect\n",
      l, k, (a - o) * 1000 / (n - 1), a, n, o, (oa - oo) * 1000 / (n - 1) }'
}

# Not in a pipe: measure must run in this shell, which keeps the sshd pids to stop.
OUT="$(mktemp -d /tmp/kex-cost.XXXXXX)"
measure "default key exchange" > "$OUT/default.txt"; cat "$OUT/default.txt"
measure "servers limited to curve25519-sha256" "KexAlgorithms curve25519-sha256" > "$OUT/curve.txt"; cat "$OUT/curve.txt"
awk '/runner:/ { v[FILENAME] = $2 } END {
  d = v[ARGV[1]]; c = v[ARGV[2]]
  printf "runner, one connect: curve25519-sha256 %.1f ms CPU; sntrup761x25519-sha512 %.1f ms CPU (per-host default minus one curve25519 connect)\n", c / 2, d - c / 2 }' \
  "$OUT/default.txt" "$OUT/curve.txt"
rm -rf "$OUT"
