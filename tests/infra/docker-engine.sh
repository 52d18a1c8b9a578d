#!/usr/bin/env bash
# Starts a Docker engine on this machine if none answers, without its bridge network: no
# registry and no private address is reachable here (../shared/docs/CI-MACHINE.md), so
# containers and builds use --network host and talk to loopback only. Idempotent.
set -euo pipefail

if docker info >/dev/null 2>&1; then exit 0; fi

if ! command -v dockerd >/dev/null; then
  echo "dockerd is missing: install docker.io (tests/run.sh does)" >&2
  exit 1
fi

# An engine killed with its session leaves its pid file behind; a stale one would stop a new start.
if [ -f /var/run/docker.pid ]; then
  read -r stat comm < <(ps -o stat=,comm= -p "$(cat /var/run/docker.pid)" 2>/dev/null || true) || true
  if [ "${comm:-}" != dockerd ] || [[ "${stat:-Z}" == Z* ]]; then rm -f /var/run/docker.pid; fi
fi

log_file=/var/log/deployrunner-dockerd.log
echo "Starting dockerd (log: $log_file)"
# setsid: the engine outlives this script and is not in its process group.
setsid dockerd --bridge=none --iptables=false --ip-masq=false >"$log_file" 2>&1 < /dev/null &
engine=$!

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  if ! kill -0 "$engine" 2>/dev/null; then break; fi
  sleep 1
done
echo "dockerd did not start (or answer within 60 s); its log:" >&2
tail -n 30 "$log_file" >&2
exit 1
