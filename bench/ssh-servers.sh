#!/usr/bin/env bash
# Sourced by the ssh benchmarks: a fleet of loopback "servers" (127.0.1.1, 127.0.1.2, ...), served
# by as many sshd processes as needed (sshd takes at most 16 ListenAddress lines), one host key,
# one client key, a known_hosts pinning every address. Needs root (sshd, logins as root).
#   start_fleet COUNT [sshd option lines...]   sets WORK, PORT, HOSTS (array), HOSTS_FILE, KNOWN_HOSTS, CLIENT_KEY
[ "$(id -u)" -eq 0 ] || { echo "Run as root: it starts sshd and logs in as root on loopback." >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "bench: /usr/sbin/sshd is missing (apt-get install -y openssh-server)" >&2; exit 1; }
mkdir -p /run/sshd

SSHD_PIDS=()
stop_fleet() { for pid in "${SSHD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; SSHD_PIDS=(); }

start_fleet() {
  local count="$1"; shift
  WORK="${WORK:-$(mktemp -d /tmp/ssh-bench.XXXXXX)}"
  ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$WORK/host_key" <<<y >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$WORK/client_key" <<<y >/dev/null
  cp "$WORK/client_key.pub" "$WORK/authorized_keys"
  CLIENT_KEY="$WORK/client_key"
  HOSTS=()
  for i in $(seq 1 "$count"); do HOSTS+=("127.0.$((1 + (i - 1) / 250)).$((1 + (i - 1) % 250))"); done
  local ok=0 attempt group
  for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 40000))
    for ((group = 0; group * 16 < count; group++)); do
      {
        echo "Port $PORT"
        for address in "${HOSTS[@]:group*16:16}"; do echo "ListenAddress $address"; done
        echo "HostKey $WORK/host_key"
        echo "AuthorizedKeysFile $WORK/authorized_keys"
        echo "PidFile $WORK/sshd$group.pid"
        echo "StrictModes no"
        echo "PermitRootLogin prohibit-password"
        echo "PasswordAuthentication no"
        echo "KbdInteractiveAuthentication no"
        echo "UsePAM no"
        echo "MaxStartups 1000"
        echo "MaxSessions 100"
        echo "LogLevel DEBUG1"
        for option in "$@"; do echo "$option"; done
      } > "$WORK/sshd$group.conf"
      /usr/sbin/sshd -D -f "$WORK/sshd$group.conf" -E "$WORK/sshd$group.log" &
      SSHD_PIDS+=($!)
    done
    ok=1
    for host in "${HOSTS[@]}"; do
      for _ in $(seq 100); do (exec 3<>"/dev/tcp/$host/$PORT") 2>/dev/null && break; sleep 0.05; done
      (exec 3<>"/dev/tcp/$host/$PORT") 2>/dev/null || { ok=0; break; }
    done
    [ "$ok" = 1 ] && break
    stop_fleet
  done
  [ "$ok" = 1 ] || { echo "sshd did not come up; logs:" >&2; cat "$WORK"/sshd*.log >&2; exit 1; }
  KNOWN_HOSTS="$WORK/known_hosts"
  HOSTS_FILE="$WORK/hosts"
  for host in "${HOSTS[@]}"; do echo "[$host]:$PORT $(cut -d' ' -f1,2 "$WORK/host_key.pub")"; done > "$KNOWN_HOSTS"
  printf '%s\n' "${HOSTS[@]}" > "$HOSTS_FILE"
}

# write_ssh_sides RUNNER PARALLEL SCRIPT [prefix]: $WORK/runner.sh and $WORK/openssh.sh, the two
# sides of an ssh benchmark (the runner in local mode; OpenSSH through xargs -P). With `prefix`,
# OpenSSH's lines get their host in front (`sed`), as the runner's do.
write_ssh_sides() {
  local runner="$1" parallel="$2" script="$3" prefix="${4:-}"
  local ssh_command="ssh -n -i '$CLIENT_KEY' -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='$KNOWN_HOSTS' -p $PORT"
  cat > "$WORK/runner.sh" <<RUNNER_SH
#!/usr/bin/env bash
set -euo pipefail
cd '$WORK'
exec env -u GITHUB_ACTIONS -u INPUT_TOKEN "INPUT_SSH-KEY=\$(cat '$CLIENT_KEY')" "INPUT_SSH-KNOWN-HOSTS=\$(cat '$KNOWN_HOSTS')" \
  INPUT_MAX-PARALLEL=$parallel $runner --event '$REPO_DIR/examples/events/deploy.json' --skip-superseded false --handler ssh \
  --ssh-user root --ssh-port $PORT --hosts "\$(tr '\n' ' ' < '$HOSTS_FILE')" --script '$script'
RUNNER_SH
  if [ "$prefix" = prefix ]; then
    printf '#!/usr/bin/env bash\nxargs -P %s -I{} sh -c "%s root@{} '"'"'%s'"'"' | sed '"'"'s/^/{} | /'"'"'" < %s\n' \
      "$parallel" "$ssh_command" "$script" "$HOSTS_FILE" > "$WORK/openssh.sh"
  else
    printf '#!/usr/bin/env bash\nxargs -P %s -I{} %s root@{} '"'"'%s'"'"' < %s\n' \
      "$parallel" "$ssh_command" "$script" "$HOSTS_FILE" > "$WORK/openssh.sh"
  fi
  chmod +x "$WORK/runner.sh" "$WORK/openssh.sh"
}

# negotiated_kex: the key exchange algorithms the servers logged (sshd LogLevel DEBUG1), counted.
negotiated_kex() { grep -ho 'kex: algorithm: [^ ]*' "$WORK"/sshd*.log 2>/dev/null | sort | uniq -c | sed 's/kex: algorithm: //' | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}'; }
