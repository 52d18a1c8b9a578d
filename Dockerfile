# The image GitHub runs for this action (action.yml `runs`). Every external input is an image,
# pinned, so the build downloads nothing of its own beyond NuGet packages and apt packages.
# CI builds this file unchanged against local stand-ins of these three images
# (tests/infra/standin-images.sh), which must carry the same names.
#
# One file, two architectures: the release builds linux/amd64 and linux/arm64 in one BuildKit
# run (docs/releasing.md). The SDK stage always runs on the build machine's own platform and
# cross-compiles the Native AOT binary for the target (TARGETARCH); only the last stage runs as
# the target. BuildKit sets BUILDPLATFORM and TARGETARCH; the legacy builder (no buildx) sets
# neither, and then this builds linux/amd64 for an amd64 machine, as before.

# kubectl for the kubectl handler and for deploy scripts: the static client from the official
# (multi-architecture) image, for the target platform.
FROM registry.k8s.io/kubectl:v1.32.5 AS kubectl

# Native AOT needs clang and zlib1g-dev, which the -aot SDK image carries. The default platform
# is for the legacy builder only; it sits here, not on a global ARG, so it never shadows BuildKit's.
FROM --platform=${BUILDPLATFORM:-linux/amd64} mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
ARG TARGETARCH
WORKDIR /src
# The .NET runtime identifier of the target. For another architecture than the build machine's,
# clang links with that architecture's binutils, C runtime and libgcc (the cross packages);
# zlib ships in the Native AOT runtime pack. Without TARGETARCH, the target is this machine.
RUN set -eu; \
    build_arch=$(dpkg --print-architecture); target_arch=${TARGETARCH:-$build_arch}; \
    case "$target_arch" in \
      amd64) rid=linux-x64; cross="gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;; \
      arm64) rid=linux-arm64; cross="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;; \
      *) echo "Unsupported target architecture '$target_arch': the image is built for linux/amd64 and linux/arm64" >&2; exit 1 ;; \
    esac; \
    echo "$rid" > /tmp/rid; \
    if [ "$target_arch" != "$build_arch" ]; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang llvm $cross \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# Restore is its own layer, cached until a project or package version changes.
# true: NuGet's vulnerability audit fails the restore on a known vulnerable package
# (Directory.Build.props; the release sets it, where the feed serves vulnerability data).
ARG DEPLOYRUNNER_NUGET_AUDIT=false
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/DeployRunner/DeployRunner.csproj src/DeployRunner/
RUN dotnet restore src/DeployRunner/DeployRunner.csproj -r "$(cat /tmp/rid)"
# action.yml is embedded in the program: its inputs are the command line's flags and --help.
COPY action.yml ./
COPY src/ src/
RUN dotnet publish src/DeployRunner/DeployRunner.csproj -c Release -r "$(cat /tmp/rid)" --no-restore -o /out \
 && rm -f /out/*.dbg

# A Native AOT binary needs no .NET runtime: runtime-deps is Ubuntu 24.04 with the native
# libraries .NET expects. Packages named here exist under the same names on Debian 12 (the CI
# stand-in). No USER: actions run as root. No WORKDIR: the runner sets /github/workspace.
# util-linux provides setsid, which starts each deploy script in a process group of its own
# so that a cancel stops everything it started (ChildProcesses/ProcessRunner.cs).
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      bash ca-certificates curl git jq openssh-client rsync util-linux \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
COPY --from=kubectl /bin/kubectl /usr/local/bin/kubectl
COPY --from=build /out/DeployRunner /usr/local/bin/deploy-runner
# The post step (action.yml `post-entrypoint`) runs the same program under this name: no shell
# in between, because /bin/sh drops the hyphenated INPUT_* and STATE_* variables.
RUN ln -s deploy-runner /usr/local/bin/deploy-runner-post
# PID 1 is the runner itself: it handles SIGINT and SIGTERM (Program.cs).
ENTRYPOINT ["/usr/local/bin/deploy-runner"]
