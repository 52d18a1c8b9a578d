#!/usr/bin/env bash
# Every `uses:` in every workflow (.github/workflows/, examples/) must name an exact commit: a
# tag or branch can be moved to other code after review, a full commit SHA cannot.
#   owner/repo[/path]@<40 hex> # v1.2.3   the SHA, and the version it is, for readers and Dependabot
#   ./path                                this repository's own files, same commit
#   docker://image@sha256:<64 hex>        an image by digest
# One exception: examples/ show this action itself as `deliverybot/runner@v1`, the line users
# start from (README, "Versions" says why and how to pin it by SHA instead).
# Usage: check-pins.sh [FILE...] (default: every workflow file); exit 1 on any finding.
# check-pins.sh --self-test proves the rules reject what they must and accept what they may.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Where each action is pinned: "sha:file:line ..." by action name.
declare -A pinned_at=()

# One action, one commit across all files: Dependabot updates .github/workflows only, and this
# keeps examples/ from staying behind. Prints one line per action pinned at several SHAs.
mixed_pins() {
  local action entry shas
  for action in "${!pinned_at[@]}"; do
    shas=$(for entry in ${pinned_at[$action]}; do echo "${entry%%:*}"; done | sort -u)
    if [ "$(wc -l <<<"$shas")" -gt 1 ]; then
      echo "$action is pinned at $(wc -l <<<"$shas") different commits:${pinned_at[$action]// /$'\n'  }: pin one everywhere"
    fi
  done
}

# Prints one line per finding for FILE and adds the number of `uses:` lines it read to $checked
# (so call it with a redirection, not in a $(...) subshell).
findings_in() { # FILE
  local file=$1 number=0 line ref rest
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [[ "$line" =~ ^[[:space:]]*(-[[:space:]]+)?uses:[[:space:]]*([^[:space:]]+)[[:space:]]*(.*)$ ]] || continue
    checked=$((checked + 1))
    ref=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
    ref=${ref//\"/}; ref=${ref//\'/}
    case "$ref" in
      ./*) continue ;;
      docker://*)
        [[ "$ref" =~ @sha256:[0-9a-f]{64}$ ]] || echo "$file:$number: $ref: pin the image by digest (docker://image@sha256:...)"
        continue ;;
    esac
    if [[ "$file" == examples/* && "$ref" =~ ^deliverybot/runner@v[0-9]+$ ]]; then continue; fi
    if [[ "$ref" =~ ^([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@([0-9a-f]{40})$ ]]; then
      pinned_at["${BASH_REMATCH[1]}"]+=" ${BASH_REMATCH[2]}:$file:$number"
    fi
    if [[ ! "$ref" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$ ]]; then
      echo "$file:$number: $ref: pin the action by its full 40-character commit SHA, with the version in a comment (uses: owner/repo@<sha> # v1.2.3)"
    elif [[ ! "$rest" =~ ^#[[:space:]]*v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?([[:space:]]|$) ]]; then
      echo "$file:$number: $ref: name the version the SHA is in a comment (# v1.2.3)"
    fi
  done < "$file"
}

workflow_files() {
  find .github/workflows examples -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null \
    | sort | xargs -r grep -l '^jobs:' || true
}

self_test() {
  local dir; dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  local sha=3d3c42e5aac5ba805825da76410c181273ba90b1 digest; digest=$(printf '%064d' 0)
  local -a rejected=(
    "uses: actions/checkout@v4"
    "uses: actions/checkout@main"
    "uses: actions/checkout@3d3c42e"
    "uses: actions/checkout@$sha"
    "uses: actions/checkout@$sha # the latest"
    "- uses: \"actions/checkout@v4\""
    "uses: docker://alpine:3.20"
    "uses: deliverybot/runner@v1"
    "uses: deliverybot/runner@main"
  )
  local -a accepted=(
    "uses: actions/checkout@$sha # v7.0.1"
    "- uses: 'actions/checkout@$sha' # v7"
    "uses: github/codeql-action/init@$sha # v3.28.0"
    "uses: ./.github/actions/local"
    "uses: docker://alpine@sha256:$digest"
  )
  local wrong=0 case output
  for case in "${rejected[@]}"; do
    printf 'jobs:\n  x:\n    steps:\n      %s\n' "$case" > "$dir/workflow.yml"
    checked=0; findings_in "$dir/workflow.yml" > "$dir/out"; output=$(cat "$dir/out")
    if [ -z "$output" ]; then echo "self-test: accepted what it must reject: $case"; wrong=1; fi
  done
  for case in "${accepted[@]}"; do
    printf 'jobs:\n  x:\n    steps:\n      %s\n' "$case" > "$dir/workflow.yml"
    checked=0; findings_in "$dir/workflow.yml" > "$dir/out"; output=$(cat "$dir/out")
    if [ -n "$output" ] || [ "$checked" -ne 1 ]; then echo "self-test: rejected what it may accept: $case ($output)"; wrong=1; fi
  done
  # The examples' exception holds under examples/ only.
  mkdir -p "$dir/examples"
  printf 'jobs:\n  x:\n    steps:\n      - uses: deliverybot/runner@v1\n' > "$dir/examples/w.yml"
  (cd "$dir" && findings_in examples/w.yml > out && [ ! -s out ]) \
    || { echo "self-test: rejected the examples' deliverybot/runner@v1"; wrong=1; }
  # One action at two commits in two files is a finding.
  pinned_at=()
  printf 'jobs:\n  x:\n    steps:\n      - uses: actions/checkout@%s # v7.0.1\n' "$sha" > "$dir/a.yml"
  printf 'jobs:\n  x:\n    steps:\n      - uses: actions/checkout@%s # v6.0.0\n' "${sha//3/4}" > "$dir/b.yml"
  checked=0; findings_in "$dir/a.yml" > "$dir/out"; findings_in "$dir/b.yml" >> "$dir/out"
  if [ -s "$dir/out" ] || [ -z "$(mixed_pins)" ]; then echo "self-test: accepted one action pinned at two commits"; wrong=1; fi
  [ "$wrong" -eq 0 ] && echo "self-test: ${#rejected[@]} refs and one mixed pin rejected, $((${#accepted[@]} + 1)) refs accepted, as they must be"
  return "$wrong"
}

if [ "${1:-}" = "--self-test" ]; then self_test; exit; fi

if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(workflow_files); fi
[ ${#files[@]} -gt 0 ] || { echo "No workflow files found" >&2; exit 1; }
checked=0
report=$(mktemp)
trap 'rm -f "$report"' EXIT
for file in "${files[@]}"; do findings_in "$file" >> "$report"; done
mixed_pins >> "$report"
if [ -s "$report" ]; then
  cat "$report"
  echo "pinned actions: $checked uses: lines in ${#files[@]} workflow file(s), $(grep -c '^[^ ]' "$report") finding(s)"
  exit 1
fi
[ "$checked" -gt 0 ] || { echo "No uses: lines found in ${#files[@]} workflow file(s): the check would prove nothing" >&2; exit 1; }
echo "pinned actions: all $checked uses: lines in ${#files[@]} workflow file(s) are pinned"
