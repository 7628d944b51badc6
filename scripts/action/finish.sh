#!/usr/bin/env bash
# Last step of the action: fails it according to `fail-on`, after the SARIF upload, with the
# scan's own exit status (0 nothing at or above fail-on, 1 findings at or above it, 2 inputs
# that could not be analysed).
#
# Reads: SCAN_EXIT_CODE, FINDINGS, INPUT_FAIL_ON (empty: the configuration's, else warning).
set -euo pipefail

code="${SCAN_EXIT_CODE:-}"
fail_on="fail-on '${INPUT_FAIL_ON:-}'"
[ -z "${INPUT_FAIL_ON:-}" ] && fail_on="the configured fail-on (warning unless cognitrust.toml sets it)"
case "$code" in
  0) echo "cognitrust: ${FINDINGS:-0} finding(s), none at or above ${fail_on}" ;;
  1) echo "::error title=cognitrust::${FINDINGS:-some} finding(s), at least one at or above ${fail_on}"
     exit 1 ;;
  2) echo "::error title=cognitrust::some inputs could not be analysed (see the report)"
     exit 2 ;;
  *) echo "::error title=cognitrust::the scan did not report an exit status ('${code}')"
     exit 2 ;;
esac
