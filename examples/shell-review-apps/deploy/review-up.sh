#!/usr/bin/env bash
# Publishes the site as a review app: one folder per environment under REVIEW_ROOT, which a web
# server answers for https://<environment>.review.example.com. Deployment values arrive as
# environment variables (never spliced into this text).
set -euo pipefail
root="${REVIEW_ROOT:-/srv/review}"
case "$DEPLOY_ENVIRONMENT" in
  pr[0-9]*) ;;
  *) echo "refusing to publish a review app for environment '$DEPLOY_ENVIRONMENT'" >&2; exit 1 ;;
esac
target="$root/$DEPLOY_ENVIRONMENT"
mkdir -p "$target"
cp -R "$(dirname "$0")/../site/." "$target/"
printf '%s\n' "$DEPLOY_SHA" > "$target/REVISION"
echo "Published $DEPLOY_REF ($DEPLOY_SHA) to $target"
