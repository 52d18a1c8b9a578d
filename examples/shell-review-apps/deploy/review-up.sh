#!/usr/bin/env bash
# Publishes the site as a review app: one folder per environment under REVIEW_DEST, which a web
# server answers for https://<environment>.review.example.com. Deployment values arrive as
# environment variables (never spliced into this text).
set -euo pipefail
source "$(dirname "$0")/publish.sh"
dest="${REVIEW_DEST:?set REVIEW_DEST, such as deploy@review.example.com:/srv/review}"
name="$(review_name)"
publish "$dest" "$name"
echo "Published review app ${name} to ${dest}"
