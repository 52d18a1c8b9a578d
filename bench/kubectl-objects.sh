#!/usr/bin/env bash
# The kubectl handler on a 20-object manifest set (bench/kubectl.sh objects).
exec bash "$(dirname "$0")/kubectl.sh" "${1:-10}" objects
