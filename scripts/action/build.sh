#!/usr/bin/env bash
# Step 2 of the action (when resolve.sh said need-build): builds the action's own source with
# `cargo install --locked` into INSTALL_ROOT, unless the cache step restored a binary there.
#
# Reads: INSTALL_ROOT, GITHUB_ACTION_PATH, RUNNER_OS, GITHUB_OUTPUT. Writes output: bin.
set -euo pipefail

root="${INSTALL_ROOT:?INSTALL_ROOT is not set}"
exe=""
[ "${RUNNER_OS:-}" = "Windows" ] && exe=".exe"
bin="${root}/bin/cognitrust${exe}"

if [ -x "$bin" ]; then
  echo "using the cached build at ${bin}"
else
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=cognitrust::cargo is not installed: set the action's \`version\` input to use a released binary, or install Rust first"
    exit 1
  fi
  cargo install --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" --locked --root "$root"
fi
"$bin" --version
printf 'bin=%s\n' "$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
