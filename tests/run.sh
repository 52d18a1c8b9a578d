#!/usr/bin/env bash
# The project's one test command (README, "Running the tests"). It installs and starts what the
# tests need (as root, on Debian 12), then runs every test project. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

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

apt_install bash curl jq openssh-server openssh-client
# The ssh tests start their own sshd processes on loopback; sshd needs its privilege-separation directory.
mkdir -p /run/sshd

# The kubectl handler's tests drive the real kubectl. The machine image ships it (/usr/bin/kubectl,
# a dispatcher to kubectl.1.27 ... kubectl.1.33); Debian's own kubernetes-client is far too old.
if ! command -v kubectl >/dev/null; then
  echo "kubectl is not on PATH: the kubectl handler's integration tests need the real client." >&2
  exit 1
fi

log "Building"
dotnet build DeployRunner.sln -c Release --nologo -v quiet

log "Unit tests"
dotnet test tests/DeployRunner.Tests -c Release --no-build --nologo

log "Integration tests"
# In CI a missing tool is a failure, not a skip (the tests read CI=true).
dotnet test tests/DeployRunner.IntegrationTests -c Release --no-build --nologo
