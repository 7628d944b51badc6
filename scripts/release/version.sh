#!/usr/bin/env bash
# Prints the version of Cargo.toml's [package]; with VERSION (0.2.0 or v0.2.0), fails unless
# that is it, so a release is never built or published under another version's name.
#
# Usage: version.sh [VERSION]   (run from anywhere; reads the repository's Cargo.toml)
set -euo pipefail

root="${COGNITRUST_RELEASE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
version=$(awk '
  /^\[/ { in_package = ($0 == "[package]") }
  in_package && /^version[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }
' "${root}/Cargo.toml")
[ -n "$version" ] || { echo "version.sh: no version in ${root}/Cargo.toml" >&2; exit 1; }
if [ $# -gt 0 ] && [ "${1#v}" != "$version" ]; then
  echo "version.sh: asked for ${1#v}, but Cargo.toml says ${version}: bump it first (RELEASING.md)" >&2
  exit 1
fi
echo "$version"
