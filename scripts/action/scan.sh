#!/usr/bin/env bash
# Step 3 of the action: runs the scan in the workspace, writes the report in the requested
# format to a file under RUNNER_TEMP, shows the findings in the log, and writes the job summary
# and the step outputs. It never fails on findings: finish.sh applies `fail-on` after the SARIF
# upload, so results reach code scanning either way.
#
# Reads: COGNITRUST_BIN (default: cognitrust on PATH), INPUT_PATHS (whitespace- or
# newline-separated; default .), INPUT_FORMAT (sarif|json|github|human|junit|gitlab; default
# sarif),
# INPUT_FAIL_ON (error|warning|note|never; empty: the configuration's fail-on, else warning),
# INPUT_CONFIG, GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (optional).
# Writes outputs: findings, report-file, sarif-file, json-file, exit-code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${COGNITRUST_BIN:-cognitrust}"
format="${INPUT_FORMAT:-sarif}"
fail_on="${INPUT_FAIL_ON:-}"
config="${INPUT_CONFIG:-}"
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
fail() { echo "::error title=cognitrust::$1"; exit 2; }

case "$format" in
  sarif|json|github|human|junit|gitlab) ;;
  *) fail "format must be sarif, json, github, human, junit or gitlab, not '${format}'" ;;
esac
case "$fail_on" in ''|error|warning|note|never) ;; *) fail "fail-on must be error, warning, note, never or empty, not '${fail_on}'" ;; esac

# Paths are split on whitespace only: no globbing, no other expansion of the input.
set -f
paths=()
while IFS= read -r line || [ -n "$line" ]; do
  for p in $line; do paths+=("$p"); done
done <<< "${INPUT_PATHS:-.}"
set +f
[ "${#paths[@]}" -eq 0 ] && paths=(.)

# No --fail-on when the input is empty: the configuration's `fail-on` applies, else the CLI's
# default (warning).
args=(scan)
[ -n "$fail_on" ] && args+=(--fail-on "$fail_on")
[ -n "$config" ] && args+=(--config "$config")

cd "${GITHUB_WORKSPACE:-.}"
dir="${temp}/cognitrust-report"
mkdir -p "$dir"
json="${dir}/cognitrust.json"
sarif="${dir}/cognitrust.sarif"
human="${dir}/cognitrust.txt"
annotations="${dir}/cognitrust.annotations"
junit="${dir}/cognitrust.junit.xml"
gitlab="${dir}/cognitrust.gitlab.json"
rm -f "$json" "$sarif" "$human" "$annotations" "$junit" "$gitlab"

# Everything the binary prints reaches the job log, and a report quotes the templates: a line of
# it that starts with `::` would be a workflow command (`::add-mask::`, `::stop-commands::`…). So
# it all runs inside `::stop-commands::TOKEN`, with a token the templates cannot know, and the
# runner reads no command until `::TOKEN::`. The renderers escape the templates' text too; this
# holds whatever they print.
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
[ "${#token}" -eq 32 ] || fail "cannot read /dev/urandom for the log's stop-commands token"
paused=""
pause() { echo "::stop-commands::${token}"; paused=1; }
resume() { if [ -n "$paused" ]; then echo "::${token}::"; paused=""; fi; }
trap resume EXIT

# Fails the step with no report. The log's commands are resumed first: the runner would not read
# an ::error inside the stopped region.
give_up() {
  resume
  output findings 0
  output report-file ""
  output sarif-file ""
  output json-file ""
  output exit-code "$1"
  fail "$2"
}

pause
status=0
"$bin" "${args[@]}" --format json --output "$json" -- "${paths[@]}" || status=$?
if [ ! -s "$json" ]; then
  give_up "$status" "the scan did not run (exit status ${status}); see the message above"
fi

# Runs the scan again with these options. It reads what the JSON run read, so it ends with 0, 1 or
# 2 as the CLI does; any other status is a crash (a panic exits 101, a signal 128+N) that may have
# left its report empty or cut short, and the step fails rather than hand that on.
again() {
  local what="$1" rc=0
  shift
  "$bin" "${args[@]}" "$@" -- "${paths[@]}" || rc=$?
  case "$rc" in
    0|1|2) ;;
    *) give_up "$rc" "the scan for ${what} crashed (exit status ${rc}) after the JSON scan ended with ${status}; see the message above" ;;
  esac
}

# The report in the requested format, in a file (the report-file output); the log shows the
# findings in colour (format github: as the annotations themselves, below).
case "$format" in
  sarif) report="$sarif" ;;
  json) report="$json" ;;
  human) report="$human" ;;
  github) report="$annotations" ;;
  junit) report="$junit" ;;
  gitlab) report="$gitlab" ;;
esac
case "$format" in
  sarif|human|junit|gitlab) again "the ${format} report" --format "$format" --color never --output "$report" ;;
  github) again "the annotations" --format github --output "$report" ;;
esac
# The CLI writes its --output file whatever it finds; only annotations may be none.
if [ ! -f "$report" ] || { [ "$format" != github ] && [ ! -s "$report" ]; }; then
  give_up "$status" "the scan wrote no ${format} report; see the message above"
fi
if [ "$format" != github ]; then
  again "the log" --format human --color always
fi
resume

# Annotations are workflow commands by design, so they are printed after `resume`; each line
# must be one `::error`, `::warning` or `::notice` whose properties hold no `:` (the format
# escapes `:`, `,`, `%`, CR and LF in them, and CR and LF in the message), so nothing in a
# template can end the command early or start another one. Any other line is dropped.
if [ -s "$annotations" ]; then
  grep -E '^::(error|warning|notice) [^:]*::' "$annotations" || true
fi

findings=$(jq -r '.summary.findings' "$json")
output findings "$findings"
output report-file "$report"
if [ "$format" = sarif ]; then output sarif-file "$sarif"; else output sarif-file ""; fi
output json-file "$json"
output exit-code "$status"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  bash "${here}/summary.sh" "$json" "$fail_on" >> "$GITHUB_STEP_SUMMARY"
fi
