#!/usr/bin/env bash
# Step 4 of the action: whether the SARIF report goes to code scanning, and under which category.
#
# A pull request from a fork, or one Dependabot opened, runs with a token that cannot write
# security events, so the upload would fail the job with "Resource not accessible by
# integration": it is skipped with a notice instead, and the findings stay in the log, the job
# summary and report-file. A pull request whose head repository is empty comes from a fork that
# was deleted since (a branch of this repository always names it), so it is skipped too.
# (pull_request_target runs with the base repository's token, so it uploads.)
#
# Reads: INPUT_UPLOAD_SARIF, INPUT_CATEGORY, SARIF_FILE, GITHUB_EVENT_NAME, GITHUB_REPOSITORY,
# GITHUB_ACTOR, HEAD_REPOSITORY (github.event.pull_request.head.repo.full_name), GITHUB_OUTPUT.
# Writes outputs: upload (true|false), category.
set -euo pipefail

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

category="${INPUT_CATEGORY:-cognitrust}"
case "$category" in
  *$'\n'*|*$'\r'*) echo "::error title=cognitrust::category must be one line"; exit 2 ;;
esac
output category "$category"

upload=true
if [ "${INPUT_UPLOAD_SARIF:-true}" != true ] || [ -z "${SARIF_FILE:-}" ]; then
  upload=false
elif [ "${GITHUB_EVENT_NAME:-}" = pull_request ]; then
  head="${HEAD_REPOSITORY:-}"
  if [ -z "$head" ]; then
    echo "::notice title=cognitrust::SARIF not uploaded: this pull request comes from a fork that was deleted, and a fork's token cannot write security events. The findings are in the log, the job summary and the report-file output."
    upload=false
  elif [ "$head" != "${GITHUB_REPOSITORY:-}" ]; then
    echo "::notice title=cognitrust::SARIF not uploaded: this pull request comes from the fork ${head}, whose token cannot write security events. The findings are in the log, the job summary and the report-file output."
    upload=false
  elif [ "${GITHUB_ACTOR:-}" = "dependabot[bot]" ]; then
    echo "::notice title=cognitrust::SARIF not uploaded: a Dependabot pull request runs with a read-only token. The findings are in the log, the job summary and the report-file output."
    upload=false
  fi
fi
output upload "$upload"
