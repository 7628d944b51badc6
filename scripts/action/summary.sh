#!/usr/bin/env bash
# The job summary as markdown, from a `cognitrust scan --format json` report: counts by
# severity, then a table of findings (severity, rule, location, message) and of inputs that
# could not be analysed. Locations link to the file at GITHUB_SHA when GITHUB_SERVER_URL,
# GITHUB_REPOSITORY and GITHUB_SHA are set.
#
# Usage: summary.sh REPORT.json [FAIL_ON]
set -euo pipefail

report="${1:?usage: summary.sh REPORT.json [FAIL_ON]}"
fail_on="${2:-warning}"
blob=""
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_SHA:-}" ]; then
  blob="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/blob/${GITHUB_SHA}"
fi

jq -r --arg blob "$blob" --arg fail_on "$fail_on" --argjson max_rows 500 '
  def cell: tostring | gsub("\r?\n"; " ") | gsub("\\|"; "\\|");
  def count(s): [.findings[] | select(.severity == s)] | length;
  def plural(n; word): "\(n) \(word)\(if n == 1 then "" else "s" end)";
  def place: if .file == null then "" else "\(.file)\(if .line then ":\(.line)" else "" end)\(if .column then ":\(.column)" else "" end)" end;
  def link:
    if $blob == "" or .file == null or (.file | startswith("/")) or (.file | startswith("..")) then "`\(place | cell)`"
    else "[`\(place | cell)`](\($blob)/\(.file | gsub(" "; "%20"))#L\(.line // 1))" end;
  "## cognitrust",
  "",
  (if .summary.findings == 0 and .summary.errors == 0 then "No findings"
   else "**\(plural(.summary.findings; "finding"))**" end)
    + " in \(plural(.summary.templates; "template")) of \(plural(.summary.files_scanned; "file")) scanned"
    + (if .summary.errors > 0 then "; **\(plural(.summary.errors; "input")) could not be analysed**" else "" end)
    + " (fail-on: `\($fail_on)`).",
  "",
  "| errors | warnings | notes | suppressed |",
  "|---:|---:|---:|---:|",
  "| \(count("error")) | \(count("warning")) | \(count("note")) | \(.summary.suppressed) |",
  (if (.findings | length) > 0 then
    "",
    "| severity | rule | location | message |",
    "|---|---|---|---|",
    (.findings[:$max_rows][] | "| \(.severity) | \(.rule) \(.name) | \(.location | link) | \(.message | cell) |"),
    (if (.findings | length) > $max_rows then "", "… and \((.findings | length) - $max_rows) more: see the full report." else empty end)
   else empty end),
  (if (.errors | length) > 0 then
    "",
    "| input that could not be analysed | error |",
    "|---|---|",
    (.errors[] | "| \(.location | link) | \(.message | cell) |")
   else empty end),
  ""
' "$report"
