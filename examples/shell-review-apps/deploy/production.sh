#!/usr/bin/env bash
# Production is published the same way, to its own destination.
set -euo pipefail
source "$(dirname "$0")/publish.sh"
dest="${PRODUCTION_DEST:?set PRODUCTION_DEST, such as deploy@www.example.com:/srv}"
publish "$dest" www
echo "Published production to ${dest}/www"
