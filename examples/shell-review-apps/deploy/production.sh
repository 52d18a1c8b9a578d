#!/usr/bin/env bash
# Production is published the same way, to its own folder.
set -euo pipefail
root="${PRODUCTION_ROOT:-/srv/www}"
mkdir -p "$root"
cp -R "$(dirname "$0")/../site/." "$root/"
printf '%s\n' "$DEPLOY_SHA" > "$root/REVISION"
echo "Published $DEPLOY_REF ($DEPLOY_SHA) to $root"
