#!/usr/bin/env bash
# Step 1 of the action: which cognitrust binary runs.
#
# INPUT_VERSION says which:
#   empty            the release of the action's own version (`version` in its Cargo.toml), when
#                    the action's source is the source that release was built from;
#   X.Y.Z or vX.Y.Z  that release;
#   source           the action's own source, built by build.sh with cargo.
# A release archive is checked against scripts/action/checksums/vX.Y.Z.sha256 in the action's own
# copy of the repository, the checksums a maintainer committed and tagged (RELEASING.md), never
# against a file the release itself serves: whoever could replace an asset could replace that
# too. A release whose checksums are not committed here, or a source that is not a release's, is
# an error that says what to pin or to set, never a silent build.
#
# Reads: INPUT_VERSION, GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT;
# optional GITHUB_REPOSITORY (the owner/name when the action runs as `uses: ./`) and
# COGNITRUST_RELEASES_URL (a mirror of .../releases/download, used by the tests).
# Writes outputs: need-build (true|false), bin; for a build also root and key.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version="${INPUT_VERSION:-}"
version="${version#"${version%%[![:space:]]*}"}"
version="${version%"${version##*[![:space:]]}"}"
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
exe=""
[ "${RUNNER_OS:-}" = "Windows" ] && exe=".exe"

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
fail() { echo "::error title=cognitrust::$1"; exit 1; }

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# The hash of the source listing (sources.sh): the build cache key, and what tells whether this
# is the source a release was built from.
source_hash() {
  local listing="${temp}/cognitrust-sources.sha256"
  bash "${here}/sources.sh" "$action_path" > "$listing"
  sha256 "$listing"
}

# `version` of [package] in the action's Cargo.toml.
own_version() {
  awk '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && /^version[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }
  ' "${action_path}/Cargo.toml"
}

# The owner/name of the action's repository: runners check remote actions out under
# _actions/OWNER/NAME/REF (github.action_repository is empty inside composite actions).
action_repository() {
  local path="${action_path//\\//}"
  if [[ "$path" =~ /_actions/([^/]+)/([^/]+)/[^/]+/?$ ]]; then
    echo "${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
  else
    echo "${GITHUB_REPOSITORY:-}"
  fi
}

# The release archives (RELEASING.md): static musl binaries on Linux.
target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

# The checksum a sha256sum-style file gives for a name.
listed_sum() {
  awk -v f="$2" '$2 == f || $2 == "*" f { print $1; exit }' "$1"
}

unpack() {
  local archive="$1" dest="$2"
  mkdir -p "$dest"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then unzip -q -o "$archive" -d "$dest"
      elif command -v 7z >/dev/null 2>&1; then 7z x -y -o"$dest" "$archive" >/dev/null
      else tar -xf "$archive" -C "$dest"; fi ;;
    *) tar -xzf "$archive" -C "$dest" ;;
  esac
}

build_from_source() {
  output need-build true
  output root "${temp}/cognitrust-build"
  output key "cognitrust-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-$(source_hash)"
}

if [ "$version" = source ]; then
  echo "cognitrust: building the action's own source (version: source)"
  build_from_source
  exit 0
fi

own=""
if [ -z "$version" ]; then
  own=1
  version=$(own_version)
  [ -n "$version" ] || fail "cannot read the version of ${action_path}/Cargo.toml"
fi
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] \
  || fail "version must be empty (the action's own release), a release such as 0.2.0, or source; not '${version}'"
tag="v${version}"
sums="${action_path}/scripts/action/checksums/${tag}.sha256"
build_hint="set the input \`version: source\` to build the action's source with cargo (a few minutes, then cached)"

if [ ! -f "$sums" ]; then
  committed=""
  for file in "${action_path}"/scripts/action/checksums/v*.sha256; do
    [ -f "$file" ] && committed="${committed:+${committed}, }$(basename "$file" .sha256)"
  done
  if [ -n "$own" ]; then
    fail "this commit of the action is not a release: no checksums of cognitrust ${tag} (its Cargo.toml version) are committed in scripts/action/checksums/${tag}.sha256, so there is no binary it can check. Pin the action to a release tag's commit, or ${build_hint}"
  fi
  fail "no checksums of release ${tag} are committed in this commit of the action (scripts/action/checksums/ has: ${committed:-none}), so its binary cannot be checked. Use a version listed there, pin the action to release ${tag} itself, or ${build_hint}"
fi

target=$(target_triple)
[ -n "$target" ] || fail "cognitrust releases have no binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: ${build_hint}"
asset="cognitrust-${target}.tar.gz"
[ -n "$exe" ] && asset="cognitrust-${target}.zip"
expected=$(listed_sum "$sums" "$asset")
[ -n "$expected" ] || fail "scripts/action/checksums/${tag}.sha256 lists no ${asset}: ${build_hint}"

if [ -n "$own" ]; then
  released_source=$(listed_sum "$sums" SOURCE-SHA256SUMS)
  this_source=$(source_hash)
  if [ "$released_source" != "$this_source" ]; then
    fail "this commit of the action has the version of ${tag} (Cargo.toml) but not its source: src/, Cargo.toml, Cargo.lock or .ci/rust-toolchain.toml changed since the release, so ${tag}'s binary is not this code. Pin the action to the commit of tag ${tag}, or ${build_hint}"
  fi
fi

repo=$(action_repository)
url="${COGNITRUST_RELEASES_URL:-https://github.com/${repo}/releases/download}/${tag}/${asset}"
dir="${temp}/cognitrust-${tag}"
rm -rf "$dir"
mkdir -p "$dir"
if ! curl --fail --silent --show-error --location --retry 3 --output "${dir}/${asset}" "$url"; then
  fail "cannot download ${url}"
fi
actual=$(sha256 "${dir}/${asset}")
if [ "$actual" != "$expected" ]; then
  fail "refusing ${asset} of ${tag}: its sha256 is ${actual}, but the checksum committed in scripts/action/checksums/${tag}.sha256 is ${expected}; the release asset is not the one that was built and checked in"
fi

bin="${dir}/unpacked/cognitrust-${target}/cognitrust${exe}"
if ! unpack "${dir}/${asset}" "${dir}/unpacked" || [ ! -f "$bin" ]; then
  fail "${asset} of ${tag} did not unpack to cognitrust-${target}/cognitrust${exe}"
fi
chmod +x "$bin" 2>/dev/null || true
echo "cognitrust ${tag} for ${target}, sha256 ${actual}, as committed in scripts/action/checksums/${tag}.sha256"
output need-build false
output bin "$bin"
