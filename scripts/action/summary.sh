#!/usr/bin/env bash
# The job summary as markdown, from a `cognitrust scan --format json` report: counts by
# severity, then a table of findings (severity, rule, location, message) and of inputs that
# could not be analysed. Locations link to the file at GITHUB_SHA when GITHUB_SERVER_URL,
# GITHUB_REPOSITORY and GITHUB_SHA are set.
#
# Usage: summary.sh REPORT.json [FAIL_ON] (FAIL_ON empty: the configuration's, else warning)
set -euo pipefail

report="${1:?usage: summary.sh REPORT.json [FAIL_ON]}"
fail_on="${2:-}"
blob=""
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_SHA:-}" ]; then
  blob="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/blob/${GITHUB_SHA}"
fi

# Every text of the report may come from a template, so it is escaped for GitHub's Markdown:
# `& < > " '` as HTML entities; `\ ` * _ [ ] ! | # ~` with a backslash, so no text makes code,
# emphasis, a link, an image or a table cell; controls (CR, LF, ESC, bidi…) as visible `\u{1b}`
# escapes, as the CLI shows them. File names in a link are percent-encoded outside letters,
# digits, `-._~` and `/`.
jq -r --arg blob "$blob" --arg fail_on "$fail_on" --argjson max_rows 500 '
  def hex: if . < 16 then "0123456789abcdef"[.:. + 1] else (. / 16 | floor | hex) + (. % 16 | hex) end;
  def control:
    . < 32 or (. >= 127 and . <= 159) or . == 1564 or . == 8206 or . == 8207
    or (. >= 8232 and . <= 8238) or (. >= 8294 and . <= 8297) or . == 65279;
  def html: {"38": "&amp;", "60": "&lt;", "62": "&gt;", "34": "&quot;", "39": "&#39;"}[tostring];
  # What makes code, emphasis, links, images, strikethrough, headings or table cells.
  def markdown: . as $c | [92, 96, 42, 95, 91, 93, 33, 124, 35, 126] | any(. == $c);
  def cell:
    tostring | explode | map(
      if control then "\\\\u{\(hex)}"
      elif html then html
      elif markdown then "\\" + ([.] | implode)
      else [.] | implode end) | join("");
  # Inside a code span only `|` (which still splits a table cell) and controls need escaping; a
  # name with a backtick, which would end the span, is shown as escaped text instead.
  def code:
    if contains("`") then cell
    else "`" + (explode | map(if control then "\\u{\(hex)}" elif . == 124 then "\\|" else [.] | implode end) | join("")) + "`" end;
  # jq 1.6 leaves `!*'"'"'()` as they are in @uri, and a `)` would end the link.
  def urlpath:
    split("/") | map(@uri | gsub("!"; "%21") | gsub("\\*"; "%2A") | gsub("\u0027"; "%27")
      | gsub("\\("; "%28") | gsub("\\)"; "%29")) | join("/");
  def count(s): [.findings[] | select(.severity == s)] | length;
  def plural(n; word): "\(n) \(word)\(if n == 1 then "" else "s" end)";
  # What was analysed: templates and Terraform files (`terraform_files`, absent when none).
  def analysed: (.terraform_files // 0) as $tf | (.templates - $tf) as $cfn
    | if $tf == 0 then plural($cfn; "template")
      elif $cfn == 0 then plural($tf; "Terraform file")
      else "\(plural($cfn; "template")) and \(plural($tf; "Terraform file"))" end;
  def place: if .file == null then "" else "\(.file)\(if .line then ":\(.line)" else "" end)\(if .column then ":\(.column)" else "" end)" end;
  def link:
    if $blob == "" or .file == null or (.file | startswith("/")) or (.file | startswith("..")) then place | code
    else "[\(place | code)](\($blob)/\(.file | urlpath)#L\(.line // 1))" end;
  "## cognitrust",
  "",
  (if .summary.findings == 0 and .summary.errors == 0 then "No findings"
   else "**\(plural(.summary.findings; "finding"))**" end)
    + " in \(.summary | analysed) of \(plural(.summary.files_scanned; "file")) scanned"
    + (if .summary.errors > 0 then "; **\(plural(.summary.errors; "input")) could not be analysed**" else "" end)
    + (if $fail_on == "" then " (fail-on: the configuration\u0027s, else `warning`)." else " (fail-on: `\($fail_on)`)." end),
  (.summary.coverage // null | if . != null and (.pools > 0 or .slots > 0) then
    "",
    "Coverage: \(plural(.pools; "identity pool")), \(plural(.slots; "role slot")), \(plural(.roles_checked; "role")) checked"
      + (if .not_checked > 0 then ", **\(plural(.not_checked; "slot")) not checked** (see CT202, CT901)" else ", every slot checked" end)
      + "."
   else empty end),
  "",
  "| errors | warnings | notes | suppressed |",
  "|---:|---:|---:|---:|",
  "| \(count("error")) | \(count("warning")) | \(count("note")) | \(.summary.suppressed) |",
  (if (.findings | length) > 0 then
    "",
    "| severity | rule | location | message |",
    "|---|---|---|---|",
    (.findings[:$max_rows][] | "| \(.severity) | \("\(.rule) \(.name)" | cell) | \(.location | link) | \(.message | cell) |"),
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
