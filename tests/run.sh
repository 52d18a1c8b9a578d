#!/usr/bin/env bash
# The project's one test command (CONTRIBUTING.md, "Running the tests"; the README links it). It installs and starts what the
# tests need (as root, on Debian 12), then runs every test project. Idempotent.
#
# --quick: for local work. Only what the unit and integration tests need is installed (nothing if
# it is there already, so no root then), the two test projects are built (not the container
# tests), and the unit tests and the integration tests run once against that build: no metadata
# checks, no Native AOT publish, no Docker, no arm64. The full run stays what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: tests/run.sh [--quick]" >&2; exit 2 ;;
esac

log() { printf '\n==> %s\n' "$*"; }

# Every test run's closing line is kept, so the end of this script can add them up.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
# A failed test project is remembered, not fatal: the later stages still run, so one CI run
# reports every failure, and the summary at the end fails the run.
test_run_failed=0
run_tests() { dotnet test "$@" 2>&1 | tee -a "$results" || { test_run_failed=1; echo "dotnet test $1 exited non-zero"; }; }
# A check that is a script rather than a test project counts as one test. A failed one is
# counted, said, and fails the run at the end (after the other stages ran).
run_check() { # NAME COMMAND...
  local name=$1; shift
  if "$@"; then
    echo "$name: Passed: 1, Failed: 0, Skipped: 0" | tee -a "$results"
  else
    echo "$name: FAILED (Passed: 0, Failed: 1, Skipped: 0)" | tee -a "$results"
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "Installing packages needs root: run as root or install ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

apt_install bash curl jq openssh-server openssh-client rsync
# The copy-on-write release test makes an XFS file system with reflink in a loop device and reads
# its shared extents with filefrag.
apt_install xfsprogs e2fsprogs
# The ssh tests start their own sshd processes on loopback; sshd needs its privilege-separation directory.
mkdir -p /run/sshd

# The kubectl handler's tests drive the real kubectl. The machine image ships it (/usr/bin/kubectl,
# a dispatcher to kubectl.1.27 ... kubectl.1.33); Debian's own kubernetes-client is far too old.
if ! command -v kubectl >/dev/null; then
  echo "kubectl is not on PATH: the kubectl handler's integration tests need the real client." >&2
  exit 1
fi

# The container tests: a Docker engine (unless the machine has one) and, where no registry is
# reachable, debootstrap for the base-image stand-ins (tests/infra/standin-images.sh).
if [ "$quick" -eq 0 ]; then
  command -v dockerd >/dev/null || apt_install docker.io
  [ "${STANDIN_IMAGES:-1}" = "0" ] || apt_install debootstrap debian-archive-keyring
fi

# NuGet's vulnerability audit (Directory.Build.props): on where the feed serves vulnerability
# data, which the hosted CI says by setting DEPLOYRUNNER_NUGET_AUDIT=true (ci.yml).
if [ "${DEPLOYRUNNER_NUGET_AUDIT:-}" = "true" ]; then
  log "NuGet vulnerability audit: on (a known vulnerable package fails the restore)"
else
  log "NuGet vulnerability audit: off (DEPLOYRUNNER_NUGET_AUDIT is not true: this machine's feed serves no vulnerability data)"
fi

summarize() {
  passed=$(grep -oE 'Passed: +[0-9]+' "$results" | awk '{ sum += $2 } END { print sum + 0 }')
  failed=$(grep -oE 'Failed: +[0-9]+' "$results" | awk '{ sum += $2 } END { print sum + 0 }')
  skipped=$(grep -oE 'Skipped: +[0-9]+' "$results" | awk '{ sum += $2 } END { print sum + 0 }')
  echo
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && [ "$test_run_failed" -eq 0 ]
}

log "Building"
if [ "$quick" -eq 1 ]; then
  # The integration tests' project builds src and the test kit too; the unit tests' then reuses them.
  dotnet build tests/DeployRunner.IntegrationTests -c Release --nologo -v quiet
  dotnet build tests/DeployRunner.Tests -c Release --nologo -v quiet
else
  dotnet build DeployRunner.sln -c Release --nologo -v quiet
fi

log "Code style: dotnet format --verify-no-changes (.editorconfig)"
run_check "dotnet-format" dotnet format DeployRunner.sln --verify-no-changes --no-restore

log "Unit tests"
run_tests tests/DeployRunner.Tests -c Release --no-build --nologo

log "Integration tests"
# In CI a missing tool is a failure, not a skip (the tests read CI=true).
run_tests tests/DeployRunner.IntegrationTests -c Release --no-build --nologo

if [ "$quick" -eq 1 ]; then
  echo
  echo "Quick run: metadata checks, Native AOT, containers and arm64 left out; run without --quick for CI's full run."
  summarize
  exit
fi

log "action.yml, workflows and dependabot.yml (action-validator, actionlint, check-dependabot)"
bash tests/infra/check-metadata.sh

log "Every action in every workflow pinned by full commit SHA (tests/infra/check-pins.sh)"
run_check "check-pins self-test" bash tests/infra/check-pins.sh --self-test
run_check "check-pins" bash tests/infra/check-pins.sh

log "NuGet vulnerability audit: a known vulnerable package fails the restore when it is on (tests/infra/check-nuget-audit.sh)"
run_check "check-nuget-audit" bash tests/infra/check-nuget-audit.sh

log "Native AOT publish (what the image ships)"
dotnet publish src/DeployRunner -c Release -r linux-x64 --nologo -v quiet -o artifacts/aot

log "Integration tests again, against the Native AOT binary"
DEPLOYRUNNER_BINARY="$PWD/artifacts/aot/DeployRunner" run_tests tests/DeployRunner.IntegrationTests -c Release --no-build --nologo

log "Docker engine and base images"
bash tests/infra/docker-engine.sh
bash tests/infra/standin-images.sh

log "Container tests (the AOT binary and the image, run as the Actions runner runs them)"
run_tests tests/DeployRunner.ContainerTests -c Release --no-build --nologo

# The image's other architecture: this machine has no arm64 CPU, so the linux-arm64 binary is
# cross-compiled with Debian's aarch64 toolchain and run under qemu-user-static (a local deploy
# of examples/events/deploy.json, its statuses checked). Its own "Passed: N, Failed: N" line
# counts below; a failure before its checks counts as one failure.
log "linux-arm64 Native AOT: cross-compile, then a smoke test under qemu-user-static (tests/infra/arm64-smoke.sh)"
arm64_started=$SECONDS
bash tests/infra/arm64-smoke.sh 2>&1 | tee -a "$results" || echo "linux-arm64 smoke test FAILED (counted above)"
echo "linux-arm64 stage: $((SECONDS - arm64_started)) s"

summarize
