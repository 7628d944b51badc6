#!/usr/bin/env bash
# Step 2 of the action (when resolve.sh said need-build, that is `version: source`): builds the
# action's own source with `cargo install --locked` into INSTALL_ROOT, unless the cache restore
# step put a binary there.
#
# The build runs in the action's own folder with RUSTUP_TOOLCHAIN set to the channel of the
# action's .ci/rust-toolchain.toml: neither a rust-toolchain.toml of the repository being scanned nor
# a RUSTUP_TOOLCHAIN of the workflow chooses the compiler of the scanner.
#
# Reads: INSTALL_ROOT, GITHUB_ACTION_PATH, RUNNER_OS, GITHUB_OUTPUT.
# Writes outputs: bin, and built=true when it compiled (so the cache save step runs only then).
set -euo pipefail

root="${INSTALL_ROOT:?INSTALL_ROOT is not set}"
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
exe=""
[ "${RUNNER_OS:-}" = "Windows" ] && exe=".exe"
bin="${root}/bin/cognitrust${exe}"

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

# `channel` of the [toolchain] table in the action's .ci/rust-toolchain.toml, if it has one.
toolchain_channel() {
  local file="${action_path}/.ci/rust-toolchain.toml"
  [ -f "$file" ] || return 0
  awk '
    /^\[/ { in_toolchain = ($0 == "[toolchain]") }
    in_toolchain && /^channel[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }
  ' "$file"
}

if [ -x "$bin" ]; then
  echo "using the cached build at ${bin}"
else
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=cognitrust::cargo is not installed: install Rust before this step, or leave the input \`version\` empty to use the action's released binary"
    exit 1
  fi
  channel=$(toolchain_channel)
  if [ -n "$channel" ]; then
    export RUSTUP_TOOLCHAIN="$channel"
    if command -v rustup >/dev/null 2>&1; then
      rustup toolchain install "$channel" --profile minimal --no-self-update
    fi
  else
    unset RUSTUP_TOOLCHAIN
  fi
  echo "building cognitrust with ${RUSTUP_TOOLCHAIN:-the default toolchain} in ${action_path}"
  (cd "$action_path" && cargo install --path . --locked --root "$root")
  output built true
fi
"$bin" --version
output bin "$bin"
