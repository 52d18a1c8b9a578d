#!/usr/bin/env bash
# Local stand-ins for the images the Dockerfile names in FROM / COPY --from. No registry is
# reachable on this machine (../shared/docs/CI-MACHINE.md), so each is built here from Debian 12
# (debootstrap minbase) and tagged with the exact name the Dockerfile uses; the Dockerfile then
# builds unchanged. A stand-in that exists with the same recipe key is kept (CI time).
#
# The real images are Ubuntu 24.04 based; the stand-ins are Debian 12. The Dockerfile therefore
# only installs apt packages that exist under the same names in both.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The names the Dockerfile uses (checked below).
SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble-aot
RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble
KUBECTL_IMAGE=registry.k8s.io/kubectl:v1.32.5
KUBECTL_MINOR=1.32

# A Dockerfile that names another image would make the build try a registry: say so instead.
# (The SDK stage carries --platform=${BUILDPLATFORM:-...}: the stand-in is the build machine's.)
for name in "$SDK_IMAGE" "$RUNTIME_IMAGE" "$KUBECTL_IMAGE"; do
  grep -qE "^FROM (--platform=[^ ]+ )?${name//./\\.}( |$)" Dockerfile \
    || { echo "The Dockerfile no longer uses $name: update tests/infra/standin-images.sh to match its FROM lines" >&2; exit 1; }
done

# Where the real registries are reachable (GitHub's hosted runners), STANDIN_IMAGES=0 leaves the
# names alone and the build pulls the real images.
if [ "${STANDIN_IMAGES:-1}" = "0" ]; then echo "STANDIN_IMAGES=0: the build uses the real base images"; exit 0; fi

cache=${STANDIN_CACHE:-/var/cache/deployrunner-standins}
ca_bundle=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
mkdir -p "$cache"

log() { printf '==> %s\n' "$*" >&2; }

# Bump when a recipe below changes: the key of a stand-in is this plus the inputs copied from the
# machine (CA bundle, apt sources, SDK, kubectl), and a stand-in whose key differs is rebuilt.
RECIPE_VERSION=2

recipe_key() {
  { echo "$RECIPE_VERSION"; sha256sum "$ca_bundle"; cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null; echo "$*"; } | sha256sum | cut -c1-16
}

have_image() { # NAME KEY
  [ "$(docker image inspect --format '{{ index .Config.Labels "standin.key" }}' "$1" 2>/dev/null)" = "$2" ]
}

# The machine's apt sources and CA bundle, so `apt-get install` inside a build reaches the same
# mirror through the same TLS setup as the machine.
configure_rootfs() { # DIR
  local dir=$1
  if grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
    rm -f "$dir/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
    if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$dir/etc/apt/sources.list"; fi
  fi
  mkdir -p "$dir/etc/ssl/certs"
  cp "$ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
}

# debootstrap once; both Debian stand-ins start from a copy of this tree.
base_rootfs() {
  local key; key=$(recipe_key base)
  local tarball="$cache/bookworm-minbase-$key.tar"
  if [ ! -f "$tarball" ]; then
    log "debootstrap bookworm (minbase)"
    local dir; dir=$(mktemp -d)
    local mirror; mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    debootstrap --variant=minbase --include=ca-certificates,libssl3,tzdata bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    configure_rootfs "$dir"
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
  fi
  echo "$tarball"
}

import_dir() { # DIR NAME KEY CHANGES...
  local dir=$1 name=$2 key=$3; shift 3
  local changes=(--change "LABEL standin.key=$key" --change "LABEL standin.note=local-stand-in")
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$dir" -c . | docker import "${changes[@]}" - "$name" >/dev/null
}

runtime_standin() {
  local key; key=$(recipe_key runtime)
  if have_image "$RUNTIME_IMAGE" "$key"; then log "$RUNTIME_IMAGE: stand-in present"; return; fi
  log "$RUNTIME_IMAGE: building stand-in"
  local tarball; tarball=$(base_rootfs)
  local dir; dir=$(mktemp -d)
  tar -C "$dir" -xf "$tarball"
  import_dir "$dir" "$RUNTIME_IMAGE" "$key" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV APP_UID=1654' 'ENV DOTNET_RUNNING_IN_CONTAINER=true'
  rm -rf "$dir"
}

sdk_standin() {
  local sdk_version; sdk_version=$(dotnet --version)
  local key; key=$(recipe_key sdk "$sdk_version")
  if have_image "$SDK_IMAGE" "$key"; then log "$SDK_IMAGE: stand-in present"; return; fi
  log "$SDK_IMAGE: building stand-in (SDK $sdk_version, clang, zlib1g-dev)"
  local tarball; tarball=$(base_rootfs)
  local dir; dir=$(mktemp -d)
  tar -C "$dir" -xf "$tarball"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # What the real AOT SDK image carries for a Native AOT link: clang, lld/llvm, zlib1g-dev;
  # the SDK itself wants ICU and git is there too.
  chroot "$dir" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang llvm zlib1g-dev libicu72 git >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*'
  : > "$dir/etc/resolv.conf"
  # A package trigger may have regenerated the bundle from Debian's roots: NuGet over HTTPS
  # needs the machine's.
  cp "$ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$dir/usr/share"
  cp -a /usr/share/dotnet "$dir/usr/share/dotnet"
  ln -sf /usr/share/dotnet/dotnet "$dir/usr/bin/dotnet"
  import_dir "$dir" "$SDK_IMAGE" "$key" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV DOTNET_ROOT=/usr/share/dotnet' 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    'ENV DOTNET_NOLOGO=true' 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=true' 'ENV NUGET_XMLDOC_MODE=skip'
  rm -rf "$dir"
}

kubectl_standin() {
  local binary; binary="$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.$KUBECTL_MINOR"
  [ -x "$binary" ] || { echo "No static kubectl $KUBECTL_MINOR at $binary" >&2; exit 1; }
  local version; version=$("$binary" version --client -o json | jq -r .clientVersion.gitVersion)
  if [ "registry.k8s.io/kubectl:$version" != "$KUBECTL_IMAGE" ]; then
    echo "The machine's kubectl $KUBECTL_MINOR is $version, the Dockerfile pins $KUBECTL_IMAGE: update both" >&2
    exit 1
  fi
  local key; key=$(recipe_key kubectl "$(sha256sum "$binary")")
  if have_image "$KUBECTL_IMAGE" "$key"; then log "$KUBECTL_IMAGE: stand-in present"; return; fi
  log "$KUBECTL_IMAGE: building stand-in from $binary"
  local dir; dir=$(mktemp -d)
  # The real image keeps the static client at /bin/kubectl (kubernetes/kubernetes,
  # build/server-image/kubectl/Dockerfile).
  mkdir -p "$dir/bin"
  cp "$binary" "$dir/bin/kubectl"
  import_dir "$dir" "$KUBECTL_IMAGE" "$key" 'ENTRYPOINT ["/bin/kubectl"]'
  rm -rf "$dir"
}

kubectl_standin
runtime_standin
sdk_standin
