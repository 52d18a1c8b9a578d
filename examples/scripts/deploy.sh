#!/usr/bin/env bash
# An example deploy script: every deployment value arrives as a DEPLOY_* environment variable.
set -euo pipefail
echo "Deploying ${DEPLOY_REPOSITORY}@${DEPLOY_SHA:0:7} (${DEPLOY_REF}) to ${DEPLOY_ENVIRONMENT}"
echo "Task: ${DEPLOY_TASK}; production: ${DEPLOY_PRODUCTION}; transient: ${DEPLOY_TRANSIENT}"
echo "Release from the payload: ${DEPLOY_PAYLOAD_RELEASE:-none}"
echo "Done."
