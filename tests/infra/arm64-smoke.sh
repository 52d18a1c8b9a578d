#!/usr/bin/env bash
# Proves the linux/arm64 image's binary on this amd64 machine, where no arm64 machine exists
# (docs/releasing.md): cross-compiles the runner with Native AOT for linux-arm64 with Debian's
# aarch64 cross toolchain, then runs it under qemu-user-static for a local deploy of an example
# event and checks the statuses it prints. Installs what it needs (as root, idempotently).
# Prints one "Passed: N, Failed: N" line that tests/run.sh adds to its total; exits non-zero on
# any failure, including one before the checks (counted as one failed check).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${ARM64_OUT:-artifacts/aot-arm64}
binary="$out/DeployRunner"
passed=0
failed=0
reported=0
report() {
  local status=$?
  if [ "$reported" -eq 0 ] && [ "$status" -ne 0 ]; then
    echo "arm64 smoke test: stopped before its checks finished (exit $status)" >&2
    failed=$((failed + 1))
  fi
  echo "arm64 smoke test: Passed: $passed, Failed: $failed, Skipped: 0"
  [ "$failed" -eq 0 ]
}
trap report EXIT

check() { # NAME COMMAND...: one assertion, counted
  local name=$1; shift
  if "$@"; then echo "  passed: $name"; passed=$((passed + 1)); else echo "  FAILED: $name"; failed=$((failed + 1)); fi
}

# clang links (with aarch64-linux-gnu-ld.bfd from the gcc cross package), gcc-aarch64-linux-gnu
# brings the arm64 crt files and libgcc, libc6-dev-arm64-cross the arm64 glibc; llvm-objcopy
# strips. libssl3:arm64 is for running only (the runner loads libssl when it starts its HTTP
# client). No sysroot property is needed: the cross gcc's default paths are found by clang.
# On Ubuntu (GitHub's hosted runners) the library is libssl3t64, and arm64 packages come from
# Ubuntu's ports archive, which the amd64 mirrors are not: one source for it, arm64 only. (The
# amd64 mirrors' Release files list no arm64, so apt passes over them for arm64.)
. /etc/os-release
libssl=libssl3:arm64
if [ "${ID:-}" = ubuntu ]; then libssl=libssl3t64:arm64; fi
packages=(clang llvm gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static "$libssl")
started=$SECONDS
missing=()
for pkg in "${packages[@]}"; do
  [ "$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "The arm64 cross build needs ${missing[*]}: run as root to install them" >&2; exit 1; fi
  echo "Installing ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  ports=/etc/apt/sources.list.d/deployrunner-arm64-ports.sources
  if [ "${ID:-}" = ubuntu ] && [ ! -f "$ports" ]; then
    printf '%s\n' "Types: deb" "URIs: http://ports.ubuntu.com/ubuntu-ports" \
      "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates $VERSION_CODENAME-security" \
      "Components: main universe" "Architectures: arm64" \
      "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg" > "$ports"
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "Toolchain ready in $((SECONDS - started)) s"

# Its own output folder, next to the linux-x64 binary in artifacts/aot. (A changed linker setting
# does not relink an existing build: delete src/DeployRunner/obj and bin first after such a change.)
started=$SECONDS
rm -rf "$out"
dotnet publish src/DeployRunner -c Release -r linux-arm64 --nologo -v quiet -o "$out"
echo "Cross-compiled in $((SECONDS - started)) s"

# ELF header: e_machine (bytes 18-19, little endian) is 183 (0xb7) for AArch64.
is_aarch64_elf() { [ "$(od -An -tu2 -j18 -N2 "$binary" | tr -d ' ')" = 183 ] && [ "$(head -c4 "$binary" | od -An -c | tr -d ' ')" = '177ELF' ]; }
check "the binary is an AArch64 ELF executable" is_aarch64_elf

# Plain qemu-aarch64-static: with the arm64 libc installed, `-L /usr/aarch64-linux-gnu` pairs the
# cross loader with the multiarch libc and hangs at startup. The timeout bounds any such hang.
# A clean environment: no token or GITHUB_* value of the calling job reaches the local deploy.
run_arm64() { env -i PATH="$PATH" HOME="${HOME:-/root}" timeout 60 qemu-aarch64-static "$binary" "$@"; }

started=$SECONDS
help_output=$(run_arm64 --help 2>&1) && help_status=0 || help_status=$?
check "--help exits 0 under qemu-aarch64-static" test "$help_status" -eq 0
check "--help prints the usage" grep -q -- '--event' <<<"$help_output"

# A local deploy: no token, so each status is printed instead of posted.
deploy_output=$(run_arm64 --event examples/events/deploy.json --script ./examples/scripts/deploy.sh 2>&1) \
  && deploy_status=0 || deploy_status=$?
echo "$deploy_output" | sed 's/^/    | /'
echo "Ran under emulation in $((SECONDS - started)) s"
check "the local deploy exits 0" test "$deploy_status" -eq 0
check "the deploy script ran with the event's values" grep -q 'Deploying octocat/hello-world@a5c3785 (main) to production' <<<"$deploy_output"
check "the payload reached the script" grep -q 'Release from the payload: v1.4.2' <<<"$deploy_output"
# Each status a local deploy would post is printed as "[local] deployment ID status: STATE: ...".
statuses=$(grep -oE '^\[local\] deployment 4242424242 status: [a-z_]+' <<<"$deploy_output" | awk '{ print $NF }' | paste -sd ' ')
check "the statuses printed are in_progress then success (printed: ${statuses:-none})" test "$statuses" = "in_progress success"
reported=1
