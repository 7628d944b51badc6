#!/usr/bin/env bash
# Step 3 of the action: runs the scan in the workspace, writes the report in the requested
# format, the job summary and the step outputs. It never fails on findings: finish.sh applies
# `fail-on` after the SARIF upload, so results reach code scanning either way.
#
# Reads: COGNITRUST_BIN (default: cognitrust on PATH), INPUT_PATHS (whitespace- or
# newline-separated; default .), INPUT_FORMAT (sarif|json|github|human; default sarif),
# INPUT_FAIL_ON (error|warning|note|never; default warning), INPUT_CONFIG, GITHUB_WORKSPACE,
# RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (optional).
# Writes outputs: findings, sarif-file, json-file, exit-code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${COGNITRUST_BIN:-cognitrust}"
format="${INPUT_FORMAT:-sarif}"
fail_on="${INPUT_FAIL_ON:-warning}"
config="${INPUT_CONFIG:-}"
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
fail() { echo "::error title=cognitrust::$1"; exit 2; }

case "$format" in sarif|json|github|human) ;; *) fail "format must be sarif, json, github or human, not '${format}'" ;; esac
case "$fail_on" in error|warning|note|never) ;; *) fail "fail-on must be error, warning, note or never, not '${fail_on}'" ;; esac

# Paths are split on whitespace only: no globbing, no other expansion of the input.
set -f
paths=()
while IFS= read -r line || [ -n "$line" ]; do
  for p in $line; do paths+=("$p"); done
done <<< "${INPUT_PATHS:-.}"
set +f
[ "${#paths[@]}" -eq 0 ] && paths=(.)

args=(scan --fail-on "$fail_on")
if [ -n "$config" ]; then
  help=$("$bin" scan --help 2>/dev/null || true)
  if [[ "$help" == *--config* ]]; then
    args+=(--config "$config")
  else
    fail "the config input needs a cognitrust that supports --config ($("$bin" --version) does not); leave config empty"
  fi
fi

cd "${GITHUB_WORKSPACE:-.}"
dir="${temp}/cognitrust-report"
mkdir -p "$dir"
json="${dir}/cognitrust.json"
sarif="${dir}/cognitrust.sarif"
rm -f "$json" "$sarif"

status=0
"$bin" "${args[@]}" --format json --output "$json" -- "${paths[@]}" || status=$?
if [ ! -s "$json" ]; then
  output findings 0
  output sarif-file ""
  output json-file ""
  output exit-code "$status"
  fail "the scan did not run (exit status ${status}); see the message above"
fi

case "$format" in
  sarif)
    "$bin" "${args[@]}" --format sarif --output "$sarif" -- "${paths[@]}" || true
    "$bin" "${args[@]}" --format human --color always -- "${paths[@]}" || true ;;
  json)
    "$bin" "${args[@]}" --format human --color always -- "${paths[@]}" || true ;;
  github|human)
    "$bin" "${args[@]}" --format "$format" --color always -- "${paths[@]}" || true ;;
esac

findings=$(jq -r '.summary.findings' "$json")
output findings "$findings"
if [ "$format" = sarif ]; then output sarif-file "$sarif"; else output sarif-file ""; fi
output json-file "$json"
output exit-code "$status"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  bash "${here}/summary.sh" "$json" "$fail_on" >> "$GITHUB_STEP_SUMMARY"
fi
