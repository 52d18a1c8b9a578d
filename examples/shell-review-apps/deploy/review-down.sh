#!/usr/bin/env bash
# Removes a review app. Safe to run twice: a folder that is already gone is fine.
set -euo pipefail
source "$(dirname "$0")/publish.sh"
dest="${REVIEW_DEST:?set REVIEW_DEST, such as deploy@review.example.com:/srv/review}"
name="$(review_name)"
unpublish "$dest" "$name"
echo "Removed ${dest}/${name}"
