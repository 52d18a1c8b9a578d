#!/usr/bin/env bash
# Sourced by the other scripts. The runner is a Docker action: whatever a script writes inside
# its container is thrown away when the step ends. So the sites are published with rsync to a
# destination that outlives the step: DEST is `user@host:/srv/review` (over SSH, the usual case)
# or a folder on a machine where the runner runs outside a container (the CLI, the tests).
#
# For SSH, give the step (`env:` in the workflow) SITE_SSH_KEY (a private key, from a secret)
# and SITE_KNOWN_HOSTS (the server's `ssh-keyscan` line): host keys are checked strictly.
set -euo pipefail

if [[ -n "${SITE_SSH_KEY:-}" ]]; then
  ssh_dir="$(mktemp -d)"
  trap 'rm -rf -- "$ssh_dir"' EXIT
  printf '%s\n' "$SITE_SSH_KEY" > "$ssh_dir/key"
  chmod 600 "$ssh_dir/key"
  printf '%s\n' "${SITE_KNOWN_HOSTS:?set SITE_KNOWN_HOSTS to the web server host key line (ssh-keyscan)}" > "$ssh_dir/known_hosts"
  export RSYNC_RSH="ssh -i $ssh_dir/key -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$ssh_dir/known_hosts"
fi

# The review app's folder name: exactly `pr` and digits. The environment is chosen by whoever
# created the deployment, so nothing else (no '/', no '..') may reach a path.
review_name() {
  if [[ ! "${DEPLOY_ENVIRONMENT}" =~ ^pr[0-9]{1,9}$ ]]; then
    echo "refusing environment '${DEPLOY_ENVIRONMENT//[^A-Za-z0-9._-]/?}': review apps are named pr<number>" >&2
    exit 1
  fi
  printf '%s' "$DEPLOY_ENVIRONMENT"
}

# publish DEST NAME: the site (and a REVISION file) becomes DEST/NAME/, exactly.
publish() {
  local staging
  staging="$(mktemp -d)"
  cp -R "$(dirname "${BASH_SOURCE[0]}")/../site/." "$staging/"
  printf '%s\n' "$DEPLOY_SHA" > "$staging/REVISION"
  rsync -a --delete --mkpath "$staging/" "$1/$2/"
  rm -rf -- "$staging"
}

# unpublish DEST NAME: DEST/NAME/ is deleted (rsync an empty folder over DEST, deleting only NAME).
unpublish() {
  local empty
  empty="$(mktemp -d)"
  rsync -a --delete --mkpath --include="/$2/***" --exclude='*' "$empty/" "$1/"
  rmdir -- "$empty"
}
