#!/usr/bin/env bash
# An example deploy script: every deployment value arrives as a DEPLOY_* environment variable.
# Values anyone who can create a deployment chose (ref, environment, payload) are printed only
# with workflow commands stopped: a line break in one must not start a `::command::` line. Only
# the Actions runner reads workflow commands, so a local run (no GITHUB_ACTIONS) needs no guard
# and prints none.
set -euo pipefail
stop=""
if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then
  stop="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "::stop-commands::${stop}"
fi
echo "Deploying ${DEPLOY_REPOSITORY}@${DEPLOY_SHA:0:7} (${DEPLOY_REF}) to ${DEPLOY_ENVIRONMENT}"
echo "Task: ${DEPLOY_TASK}; production: ${DEPLOY_PRODUCTION}; transient: ${DEPLOY_TRANSIENT}"
echo "Release from the payload: ${DEPLOY_PAYLOAD_RELEASE:-none}"
if [[ -n "${stop}" ]]; then echo "::${stop}::"; fi
echo "Done."
