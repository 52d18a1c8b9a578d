#!/usr/bin/env bash
# Fan-out benchmark for the ssh handler: 20 hosts (loopback addresses 127.0.0.11-30, served by two
# sshd processes started here, as sshd takes at most 16 ListenAddress lines), each running
# `sleep 1`. Compares the runner's wall time with the OpenSSH client run in parallel on the same
# hosts (`xargs -P 20 ssh ...`), median of several runs (hyperfine), and prints the ratio.
# Run as root on Debian 12: sudo bash bench/ssh-fanout.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
[ "$(id -u)" -eq 0 ] || { echo "Run as root: it starts sshd and logs in as root on loopback." >&2; exit 1; }
need hyperfine hyperfine
need jq jq
need ssh openssh-client
[ -x /usr/sbin/sshd ] || need sshd openssh-server
mkdir -p /run/sshd

work="$(mktemp -d /tmp/ssh-fanout.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"

hosts=()
for i in $(seq 11 30); do hosts+=("127.0.0.$i"); done

start_sshd() { # name port addresses...
  local name="$1" port="$2"; shift 2
  {
    echo "Port $port"
    for address in "$@"; do echo "ListenAddress $address"; done
    echo "HostKey $work/host_key"
    echo "AuthorizedKeysFile $work/authorized_keys"
    echo "PidFile $work/$name.pid"
    echo "StrictModes no"
    echo "PermitRootLogin prohibit-password"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "UsePAM no"
    echo "MaxStartups 200"
  } > "$work/$name.conf"
  /usr/sbin/sshd -D -f "$work/$name.conf" -E "$work/$name.log" &
  pids+=($!)
}

# A free port on all 20 addresses: try random ones until both servers listen.
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  start_sshd a "$port" "${hosts[@]:0:16}"
  start_sshd b "$port" "${hosts[@]:16}"
  ok=1
  for host in "${hosts[@]}"; do
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; sleep 0.05; done
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null || { ok=0; break; }
  done
  [ "$ok" = 1 ] && break
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; pids=()
done
[ "$ok" = 1 ] || { echo "sshd did not come up; logs:" >&2; cat "$work"/*.log >&2; exit 1; }

for host in "${hosts[@]}"; do echo "[$host]:$port $(cut -d' ' -f1,2 "$work/host_key.pub")"; done > "$work/known_hosts"
printf '%s\n' "${hosts[@]}" > "$work/hosts"

echo "==> Building the runner"
dotnet build src/DeployRunner -c Release --nologo -v quiet >/dev/null
runner="src/DeployRunner/bin/Release/net10.0/DeployRunner.dll"

# The runner in local mode (no token, not in Actions: statuses are printed). The key and the
# known_hosts arrive as INPUT_ variables, as in Actions (env(1) can set hyphenated names).
cat > "$work/runner.sh" <<RUNNER
#!/usr/bin/env bash
set -euo pipefail
exec env -u GITHUB_ACTIONS "INPUT_SSH-KEY=\$(cat '$work/client_key')" "INPUT_SSH-KNOWN-HOSTS=\$(cat '$work/known_hosts')" \
  dotnet '$PWD/$runner' --event '$PWD/examples/events/deploy.json' --handler ssh --ssh-user root --ssh-port $port \
  --hosts "\$(tr '\n' ' ' < '$work/hosts')" --script 'sleep 1' > '$work/runner.log'
RUNNER
cat > "$work/openssh.sh" <<OPENSSH
#!/usr/bin/env bash
set -euo pipefail
xargs -P 20 -I{} ssh -n -i '$work/client_key' -o BatchMode=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile='$work/known_hosts' -p $port root@{} 'sleep 1' < '$work/hosts'
OPENSSH
chmod +x "$work/runner.sh" "$work/openssh.sh"

# One checked run each, so a broken setup fails loudly instead of timing an error.
"$work/runner.sh" || { cat "$work/runner.log"; exit 1; }
grep -q '\[20/20\]' "$work/runner.log" || { echo "the runner did not finish 20 hosts:"; cat "$work/runner.log"; exit 1; }
"$work/openssh.sh"

echo "==> hyperfine: $runs runs each, 20 hosts, sleep 1"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/results.json" \
  -n "runner (ssh handler, 20 hosts)" "$work/runner.sh" \
  -n "openssh xargs -P 20" "$work/openssh.sh"

runner_median=$(jq '.results[0].median' "$work/results.json")
openssh_median=$(jq '.results[1].median' "$work/results.json")
printf '\nmedian wall time: runner %.3f s, OpenSSH (xargs -P 20) %.3f s, ratio runner/OpenSSH %.2f\n' \
  "$runner_median" "$openssh_median" "$(jq -n "$runner_median / $openssh_median")"
