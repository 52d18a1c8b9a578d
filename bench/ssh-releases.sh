#!/usr/bin/env bash
# Release upload benchmark for the ssh handler with `deploy-path`: a 100 MB tree of 5,000 files
# to 20 servers (loopback addresses 127.0.0.11-30, two sshd processes started here, each server
# logged into as its own user so that each has its own deploy path). Two cases, each against
# rsync over OpenSSH to the same servers (`xargs -P 20 rsync -a -e ssh`), median of several runs:
#   1. first release: everything is sent (rsync into an empty folder);
#   2. second release with 1 % of the files changed: the runner copies the unchanged files from
#      the current release on each server (cp --reflink=auto: copy-on-write where the file system
#      has it, a full copy on ext4) and sends the 50 changed ones, with the lists, as tar streams
#      over its one run connection. Two baselines, side by side in interleaved rounds:
#      rsync --link-dest=<first release>, which hard-links (cheaper, and what releases refuse to do,
#      since a write in a new release would reach every older one through the shared inode), and
#      rsync --copy-dest=<first release>, which copies unchanged files on the server: the same
#      safety as the runner's, so the same work on the server's disk.
# Run as root on Debian 12: sudo bash bench/ssh-releases.sh [RUNS]
# SERVERS=N (2 to 20, default 20) uses fewer servers on a machine too loaded for 20.
# CASES="second" times only the second case (default "first second").
# RUNNER_BEFORE=/path/to/DeployRunner adds an older runner binary to the second case, side by side.
# RELEASES_FS=xfs puts every server's home on one XFS file system with reflink (a loop device):
# the runner's cp --reflink=auto then clones (shares the data until a write) instead of copying,
# as on a Btrfs, XFS or ZFS 2.2 server; rsync --copy-dest still copies. Default: this machine's ext4.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
runs="${1:-3}"
servers="${SERVERS:-20}"
[ "$servers" -ge 2 ] && [ "$servers" -le 20 ] || { echo "SERVERS must be 2 to 20" >&2; exit 1; }
last=$((10 + servers))
cases="${CASES:-first second}"
# The machine is shared: every figure is printed with the load it was measured under.
load() { echo "$(host_line); releases on ${RELEASES_FS:-ext4} (figures are provisional on a shared machine)"; }

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
[ "$(id -u)" -eq 0 ] || { echo "Run as root: it starts sshd and adds 20 local users." >&2; exit 1; }
need hyperfine hyperfine
need jq jq
need ssh openssh-client
need rsync rsync
[ -x /usr/sbin/sshd ] || need sshd openssh-server
mkdir -p /run/sshd

work="$(mktemp -d /tmp/ssh-releases.XXXXXX)"
chmod 755 "$work"
pids=()
mounts=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ((m = ${#mounts[@]} - 1; m >= 0; m--)); do umount "${mounts[m]}" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 644 "$work/authorized_keys"

hosts=()
for i in $(seq 11 "$last"); do
  hosts+=("127.0.0.$i")
  id "benchrel$i" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --password '*' "benchrel$i"
done

releases_fs="${RELEASES_FS:-ext4}"
case "$releases_fs" in
  ext4) [ "$(stat -f -c %T /home)" = ext2/ext3 ] || echo "note: /home is $(stat -f -c %T /home), not ext4" ;;
  xfs)
    need mkfs.xfs xfsprogs
    truncate -s 20G "$work/xfs.img"   # sparse: only what the releases write takes disk space
    mkfs.xfs -q -m reflink=1 "$work/xfs.img"
    mkdir "$work/xfs"
    mount -o loop "$work/xfs.img" "$work/xfs"; mounts+=("$work/xfs")
    for i in $(seq 11 "$last"); do
      mkdir "$work/xfs/benchrel$i"; chown "benchrel$i:" "$work/xfs/benchrel$i"
      mount --bind "$work/xfs/benchrel$i" "/home/benchrel$i"; mounts+=("/home/benchrel$i")
    done ;;
  *) echo "RELEASES_FS must be ext4 or xfs" >&2; exit 1 ;;
esac

start_sshd() { # name port addresses...
  local name="$1" port="$2"; shift 2
  {
    echo "Port $port"
    for address in "$@"; do echo "ListenAddress $address"; done
    echo "HostKey $work/host_key"
    echo "AuthorizedKeysFile $work/authorized_keys"
    echo "PidFile $work/$name.pid"
    echo "StrictModes no"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "UsePAM no"
    echo "MaxStartups 200"
    echo "MaxSessions 100"
    echo "Subsystem sftp internal-sftp"
  } > "$work/$name.conf"
  /usr/sbin/sshd -D -f "$work/$name.conf" -E "$work/$name.log" &
  pids+=($!)
}

for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  start_sshd a "$port" "${hosts[@]:0:16}"
  [ "${#hosts[@]}" -le 16 ] || start_sshd b "$port" "${hosts[@]:16}"
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
for i in $(seq 11 "$last"); do echo "benchrel$i@127.0.0.$i"; done > "$work/logins"

echo "==> A 100 MB tree of 5,000 files (50 folders x 100 files x 20 KiB)"
tree="$work/tree"
for d in $(seq -w 1 50); do
  mkdir -p "$tree/dir$d"
  head -c $((100 * 20480)) /dev/urandom | split -b 20480 -a 3 -d - "$tree/dir$d/file"
done
find "$tree" -type f | wc -l | grep -qx 5000 || { echo "tree is not 5000 files" >&2; exit 1; }

echo "==> Building the runner"
runner="$(runner_command)"   # the Native AOT binary, as the other benchmarks (BENCH_BUILD=framework: dotnet + dll)

event() { # id sha
  printf '{"action":"created","deployment":{"id":%s,"sha":"%s","ref":"main","task":"deploy","payload":{},"environment":"production","transient_environment":false,"production_environment":true},"repository":{"full_name":"octocat/hello-world"}}' "$1" "$2" > "$work/event-$1.json"
}
event 1 1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
event 2 2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb

# The runner in local mode (statuses printed, not posted); key and known_hosts as INPUT_ variables;
# the workspace is the bench folder (working-directory must stay inside the workspace).
runner_cmd() { # event-id [binary]
  local binary="${2:-$runner}"
  cat <<RUNNER
#!/usr/bin/env bash
set -euo pipefail
exec env -u GITHUB_ACTIONS GITHUB_WORKSPACE='$work' "INPUT_SSH-KEY=\$(cat '$work/client_key')" "INPUT_SSH-KNOWN-HOSTS=\$(cat '$work/known_hosts')" \
  $binary --event '$work/event-$1.json' --handler ssh --ssh-port $port \
  --hosts "\$(tr '\n' ' ' < '$work/logins')" --deploy-path app --upload . --working-directory '$tree' --skip-superseded false > '$work/runner-$1.log'
RUNNER
}
runner_cmd 1 > "$work/runner-first.sh"
runner_cmd 2 > "$work/runner-second.sh"
[ -z "${RUNNER_BEFORE:-}" ] || runner_cmd 2 "$RUNNER_BEFORE" > "$work/runner-before-second.sh"
ssh_opts="-i $work/client_key -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/known_hosts -p $port"
cat > "$work/rsync-first.sh" <<RSYNC
#!/usr/bin/env bash
set -euo pipefail
xargs -P $servers -I{} rsync -a -e "ssh $ssh_opts" '$tree/' {}:rsync/releases/1/ < '$work/logins'
RSYNC
cat > "$work/rsync-second.sh" <<RSYNC
#!/usr/bin/env bash
set -euo pipefail
xargs -P $servers -I{} rsync -a --link-dest=../1 -e "ssh $ssh_opts" '$tree/' {}:rsync/releases/2/ < '$work/logins'
RSYNC
cat > "$work/rsync-copy-second.sh" <<RSYNC
#!/usr/bin/env bash
set -euo pipefail
xargs -P $servers -I{} rsync -a --copy-dest=../1 -e "ssh $ssh_opts" '$tree/' {}:rsync/releases/2/ < '$work/logins'
RSYNC
# Between runs: back to "no release yet" (first case) or "release 1 is current" (second case).
cat > "$work/reset-first.sh" <<RESET
#!/usr/bin/env bash
for i in \$(seq 11 $last); do rm -rf /home/benchrel\$i/app /home/benchrel\$i/rsync; mkdir -p /home/benchrel\$i/rsync/releases; chown -R benchrel\$i: /home/benchrel\$i/rsync; done
RESET
cat > "$work/reset-second.sh" <<RESET
#!/usr/bin/env bash
for i in \$(seq 11 $last); do
  rm -rf /home/benchrel\$i/app/releases/2-2222222 /home/benchrel\$i/rsync/releases/2
  ln -sfn releases/1-1111111 /home/benchrel\$i/app/current
done
RESET
chmod +x "$work"/*.sh

# How many servers have a log line with this text (the summary may repeat it: counted once).
servers_saying() { grep -F -- "$1" "$2" | grep -oE '127\.0\.0\.[0-9]+' | sort -u | wc -l; }

# One checked run of each first, so a broken setup fails loudly instead of timing an error.
"$work/reset-first.sh"
"$work/runner-first.sh" || { cat "$work/runner-1.log"; exit 1; }
grep -q "is live on $servers servers" "$work/runner-1.log" || { echo "the runner did not release to $servers servers:"; cat "$work/runner-1.log"; exit 1; }
[ "$(servers_saying 'one tar stream' "$work/runner-1.log")" -eq "$servers" ] || { echo "the first release did not go as one tar stream to every server:"; cat "$work/runner-1.log"; exit 1; }
"$work/rsync-first.sh"

if [[ " $cases " == *" first "* ]]; then
echo "==> hyperfine: first release, $runs runs each; $(load)"
hyperfine --warmup 0 --runs "$runs" --export-json "$work/first.json" --prepare "$work/reset-first.sh" \
  -n "runner (deploy-path, first release, $servers servers)" "$work/runner-first.sh" \
  -n "rsync -a over OpenSSH, xargs -P $servers" "$work/rsync-first.sh"
fi

# State for the second case: release 1 current everywhere (runner) and rsync/releases/1 (rsync).
"$work/reset-first.sh"; "$work/runner-first.sh"; "$work/rsync-first.sh"
echo "==> Changing 1 % of the files (50 of 5,000)"
for d in $(seq -w 1 50); do head -c 20480 /dev/urandom > "$tree/dir$d/file000"; done
"$work/runner-second.sh" || { cat "$work/runner-2.log"; exit 1; }
# Every server: the 50 changed files as a tar stream next to 4,950 copies made there (no SFTP session).
[ "$(servers_saying 'sent 50 files (1.0 MB, one tar stream), copied 4950 unchanged on the server' "$work/runner-2.log")" -eq "$servers" ] || { echo "the second release did not send exactly the 50 changed files to every server:"; cat "$work/runner-2.log"; exit 1; }
# On XFS the copies are clones: an unchanged file of release 2 shares its data with release 1.
[ "$releases_fs" != xfs ] || filefrag -v /home/benchrel11/app/releases/2-2222222/dir01/file001 | grep -q shared || { echo "on XFS, cp --reflink=auto did not clone" >&2; exit 1; }
"$work/rsync-second.sh"
# rsync --copy-dest makes its own copies: no file of release 2 shares an inode with release 1.
"$work/reset-second.sh"; "$work/rsync-copy-second.sh"
[ "$(stat -c %h "/home/benchrel11/rsync/releases/2/dir01/file001")" -eq 1 ] || { echo "rsync --copy-dest hard-linked instead of copying" >&2; exit 1; }

echo "==> second release, 1 % changed, $runs interleaved rounds; $(load)"
before=()
[ -z "${RUNNER_BEFORE:-}" ] || before=(-n "runner before ($RUNNER_BEFORE)" "$work/runner-before-second.sh")
interleaved_hyperfine "$runs" 0 "$work/second.json" --prepare "$work/reset-second.sh" \
  -n "runner (deploy-path, 1 % changed, $servers servers)" "$work/runner-second.sh" \
  -n "rsync -a --link-dest over OpenSSH, xargs -P $servers" "$work/rsync-second.sh" \
  -n "rsync -a --copy-dest over OpenSSH, xargs -P $servers (copies, as the runner)" "$work/rsync-copy-second.sh" \
  "${before[@]}"

echo "after: $(load)"
: > "$RESULTS_DIR/ssh-releases.txt"
[[ " $cases " != *" first "* ]] || report "First release: 100 MB, 5,000 files, $servers servers" "$work/first.json" | tee -a "$RESULTS_DIR/ssh-releases.txt"
# Every command with its median, CPU (user + system, of the job side only: the servers' share is
# not counted), and its ratio to both baselines.
{
  echo; echo "Second release: 1 % of the files changed, $servers servers, releases on $releases_fs; $(host_line)"
  jq -r '.results as $r | ($r[1].median) as $link | ($r[2].median) as $copy
    | $r[] | "  \(.command): median \(.median * 1000 | round) ms, job-side CPU \((.user + .system) * 100 | round / 100) s (\(.times | length) runs); \(.median / $link * 100 | round / 100)x --link-dest, \(.median / $copy * 100 | round / 100)x --copy-dest"' "$work/second.json"
} | tee -a "$RESULTS_DIR/ssh-releases.txt"
