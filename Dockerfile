# The image GitHub runs for this action (action.yml `runs`). Every external input is an image,
# pinned, so the build downloads nothing of its own beyond NuGet packages and apt packages.
# CI builds this file unchanged against local stand-ins of these three images
# (tests/infra/standin-images.sh), which must carry the same names.

# kubectl for the kubectl handler and for deploy scripts: the static client from the official image.
FROM registry.k8s.io/kubectl:v1.32.5 AS kubectl

# Native AOT needs clang and zlib1g-dev, which the -aot SDK image carries.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
WORKDIR /src
# Restore is its own layer, cached until a project or package version changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/DeployRunner/DeployRunner.csproj src/DeployRunner/
RUN dotnet restore src/DeployRunner/DeployRunner.csproj -r linux-x64
# action.yml is embedded in the program: its inputs are the command line's flags and --help.
COPY action.yml ./
COPY src/ src/
RUN dotnet publish src/DeployRunner/DeployRunner.csproj -c Release -r linux-x64 --no-restore -o /out \
 && rm -f /out/*.dbg

# A Native AOT binary needs no .NET runtime: runtime-deps is Ubuntu 24.04 with the native
# libraries .NET expects. Packages named here exist under the same names on Debian 12 (the CI
# stand-in). No USER: actions run as root. No WORKDIR: the runner sets /github/workspace.
# util-linux provides setsid, which starts each deploy script in a process group of its own
# so that a cancel stops everything it started (Running/ProcessRunner.cs).
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
