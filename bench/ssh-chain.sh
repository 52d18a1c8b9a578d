#!/usr/bin/env bash
# The check phase through a chain of two bastions: 20 servers on loopback reached through
# hop 1 -> hop 2 (each hop may forward only to the next, sshd PermitOpen), the script `true` on
# each, all at once. The runner (ssh-jump-host: hop1,hop2; one chain for the run) against OpenSSH
# doing the same: one ControlMaster connection to hop 2 made with `ssh -J hop1`, and each server
# through it (`ssh -W` over the master) with `xargs -P 20`. Prints the median wall-time ratio and
# the load average, since a shared machine's figures are provisional.
# Usage: sudo bench/ssh-chain.sh [RUNS]   (BENCH_BUILD=framework for the framework-dependent build)
source "$(dirname "$0")/common.sh"
source "$BENCH_DIR/ssh-servers.sh"
require hyperfine ssh

RUNS="${1:-10}"
SERVERS=20
NAME=ssh-chain
RUNNER="$(runner_command)"
HOP1=127.0.9.1
HOP2=127.0.9.2
trap 'ssh -S "$WORK/master" -O exit x 2>/dev/null || true; stop_fleet; rm -rf "$WORK"' EXIT
start_fleet "$SERVERS"

# The hops: the fleet's host key and authorized_keys, each allowed to forward only to the next.
permit=""
for host in "${HOSTS[@]}"; do permit="$permit $host:$PORT"; done
for hop in 1 2; do
  address="127.0.9.$hop"
  if [ "$hop" = 1 ]; then next="PermitOpen $HOP2:$PORT"; else next="PermitOpen$permit"; fi
  sed -e "/^ListenAddress/d" -e "s|^PidFile .*|PidFile $WORK/hop$hop.pid|" "$WORK/sshd0.conf" > "$WORK/hop$hop.conf"
  printf 'ListenAddress %s\nAllowTcpForwarding yes\n%s\n' "$address" "$next" >> "$WORK/hop$hop.conf"
  /usr/sbin/sshd -D -f "$WORK/hop$hop.conf" -E "$WORK/hop$hop.log" &
  SSHD_PIDS+=($!)
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/$address/$PORT") 2>/dev/null && break; sleep 0.05; done
  echo "[$address]:$PORT $(cut -d' ' -f1,2 "$WORK/host_key.pub")" >> "$KNOWN_HOSTS"
done

# A config file, not -o options: `ssh -J` passes -F on to the jump's ssh, and nothing else.
printf 'Host *\n  User root\n  Port %s\n  IdentityFile %s\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile %s\n' \
  "$PORT" "$CLIENT_KEY" "$KNOWN_HOSTS" > "$WORK/ssh_config"
OPTS="-F $WORK/ssh_config"
cat > "$WORK/runner.sh" <<RUNNER_SH
#!/usr/bin/env bash
set -euo pipefail
cd '$WORK'
exec env -u GITHUB_ACTIONS -u INPUT_TOKEN "INPUT_SSH-KEY=\$(cat '$CLIENT_KEY')" "INPUT_SSH-KNOWN-HOSTS=\$(cat '$KNOWN_HOSTS')" \
  $RUNNER --event '$REPO_DIR/examples/events/deploy.json' --skip-superseded false --handler ssh \
  --ssh-user root --ssh-port $PORT --ssh-jump-host 'root@$HOP1:$PORT,root@$HOP2:$PORT' --hosts "\$(tr '\n' ' ' < '$HOSTS_FILE')" --script true
RUNNER_SH
# OpenSSH: the chain once (a ControlMaster to hop 2 through hop 1), every server through it.
cat > "$WORK/openssh.sh" <<OPENSSH_SH
#!/usr/bin/env bash
set -euo pipefail
ssh $OPTS -J 'root@$HOP1:$PORT' -fN -M -S '$WORK/master' root@$HOP2
xargs -P $SERVERS -I{} ssh -n $OPTS -o "ProxyCommand=ssh -S '$WORK/master' -W %h:%p x" root@{} true < '$HOSTS_FILE'
ssh -S '$WORK/master' -O exit x 2>/dev/null
OPENSSH_SH
chmod +x "$WORK/runner.sh" "$WORK/openssh.sh"

# One checked run each, so a broken setup fails loudly.
"$WORK/runner.sh" > "$WORK/runner.log" 2>&1 || { tail -20 "$WORK/runner.log"; exit 1; }
grep -q "\[$SERVERS/$SERVERS\]" "$WORK/runner.log" || { echo "the runner did not finish $SERVERS hosts:"; tail -20 "$WORK/runner.log"; exit 1; }
"$WORK/openssh.sh" || { echo "OpenSSH through the chain failed"; exit 1; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
interleaved_hyperfine "$RUNS" 1 "$RESULTS_DIR/$NAME.json" \
  -n "runner ($SERVERS hosts through 2 bastions)" "$WORK/runner.sh" \
  -n "baseline (OpenSSH, ssh -J ControlMaster, xargs -P $SERVERS)" "$WORK/openssh.sh"

report "$SERVERS servers through a chain of 2 bastions on loopback, script true (median of $RUNS interleaved runs)" "$RESULTS_DIR/$NAME.json"
echo "  load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: provisional)"
table_row "$NAME" "$RESULTS_DIR/$NAME.json" "$SERVERS servers through 2 bastions (PermitOpen), script true" >/dev/null
