#!/usr/bin/env bash
# An example deploy script: every deployment value arrives as a DEPLOY_* environment variable.
# Values anyone who can create a deployment chose (ref, environment, payload) are printed only
# with workflow commands stopped: a line break in one must not start a `::command::` line.
set -euo pipefail
stop="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::${stop}"
echo "Deploying ${DEPLOY_REPOSITORY}@${DEPLOY_SHA:0:7} (${DEPLOY_REF}) to ${DEPLOY_ENVIRONMENT}"
echo "Task: ${DEPLOY_TASK}; production: ${DEPLOY_PRODUCTION}; transient: ${DEPLOY_TRANSIENT}"
echo "Release from the payload: ${DEPLOY_PAYLOAD_RELEASE:-none}"
echo "::${stop}::"
echo "Done."
