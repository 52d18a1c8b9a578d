#!/usr/bin/env bash
# Removes a review app. Safe to run twice: a folder that is already gone is fine.
set -euo pipefail
root="${REVIEW_ROOT:-/srv/review}"
case "$DEPLOY_ENVIRONMENT" in
  pr[0-9]*) ;;
  *) echo "refusing to remove environment '$DEPLOY_ENVIRONMENT'" >&2; exit 1 ;;
esac
rm -rf -- "${root:?}/$DEPLOY_ENVIRONMENT"
echo "Removed $root/$DEPLOY_ENVIRONMENT"
