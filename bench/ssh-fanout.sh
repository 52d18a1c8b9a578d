#!/usr/bin/env bash
# Fan-out benchmark for the ssh handler: 20 servers on loopback, `sleep 1` each, all at once,
# against OpenSSH with the same parallelism (`xargs -P 20 ssh`). The fleet benchmark's machinery
# (bench/ssh-fleet.sh) with 20 servers.
# Usage: sudo bench/ssh-fanout.sh [RUNS]   (BENCH_BUILD=framework for the framework-dependent build)
BENCH_NAME=ssh-fanout exec bash "$(dirname "$0")/ssh-fleet.sh" "${1:-10}" 20 20
