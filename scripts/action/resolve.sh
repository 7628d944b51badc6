#!/usr/bin/env bash
# Step 1 of the action: find the cognitrust binary to run.
#
# With INPUT_VERSION set (e.g. 0.2.0 or v0.2.0), downloads that release's archive for this
# runner from the action's own repository, checks it against the release's SHA256SUMS and
# unpacks it. With INPUT_VERSION empty, or when that release has no archive for this runner,
# says that the action's own source must be built, and gives the install root and the cache key
# for build.sh (the key hashes Cargo.lock, Cargo.toml and src/, so any change rebuilds).
#
# Reads: INPUT_VERSION, GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT;
# optional GITHUB_REPOSITORY (the fallback owner/name when the action runs as `uses: ./`) and
# COGNITRUST_RELEASES_URL (a mirror of .../releases/download, used by the tests).
# Writes outputs: need-build (true|false), bin, root, key.
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version="${INPUT_VERSION:-}"
version="${version#"${version%%[![:space:]]*}"}"
version="${version%"${version##*[![:space:]]}"}"
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
exe=""
[ "${RUNNER_OS:-}" = "Windows" ] && exe=".exe"

output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
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

target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

# Downloads $1 to $2. Returns 0 when downloaded, 3 when the release has no such file, and
# fails the step on any other error (a network failure must not silently become a build).
fetch() {
  local code rc=0
  code=$(curl --silent --show-error --location --retry 3 --output "$2" --write-out '%{http_code}' "$1") || rc=$?
  [ "$rc" -eq 0 ] && return 0
  if [ "$code" = "404" ] || [ "$rc" -eq 37 ]; then return 3; fi
  echo "::error title=cognitrust::cannot download $1 (curl exit $rc, HTTP $code)"
  exit 1
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

# Tries the release; prints nothing and returns 3 when there is nothing to download.
download_release() {
  local tag="v${version#v}" target repo base asset dir expected actual
  target=$(target_triple)
  if [ -z "$target" ]; then
    echo "::warning title=cognitrust::no released binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building from source"
    return 3
  fi
  repo=$(action_repository)
  base="${COGNITRUST_RELEASES_URL:-https://github.com/${repo}/releases/download}/${tag}"
  asset="cognitrust-${target}.tar.gz"
  [ -n "$exe" ] && asset="cognitrust-${target}.zip"
  dir="${temp}/cognitrust-${tag}"
  mkdir -p "$dir" || exit 1
  fetch "${base}/${asset}" "${dir}/${asset}" || return $?
  if ! fetch "${base}/SHA256SUMS" "${dir}/SHA256SUMS"; then
    echo "::error title=cognitrust::release ${tag} has ${asset} but no SHA256SUMS to check it against"
    exit 1
  fi
  expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "${dir}/SHA256SUMS")
  actual=$(sha256 "${dir}/${asset}")
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "::error title=cognitrust::checksum mismatch for ${asset} of ${tag}: SHA256SUMS says '${expected}', the download is '${actual}'"
    exit 1
  fi
  # Called in an `||` list, where `set -e` does not apply: every failure is checked here.
  local bin="${dir}/bin/cognitrust${exe}"
  if ! unpack "${dir}/${asset}" "${dir}/bin" || [ ! -f "$bin" ]; then
    echo "::error title=cognitrust::${asset} of ${tag} did not unpack to cognitrust${exe}"
    exit 1
  fi
  chmod +x "$bin" 2>/dev/null || true
  echo "cognitrust ${tag} for ${target}, sha256 ${actual}"
  output need-build false
  output bin "$bin"
}

if [ -n "$version" ]; then
  rc=0
  download_release || rc=$?
  [ "$rc" -eq 0 ] && exit 0
  [ "$rc" -ne 3 ] && exit "$rc"
  echo "::warning title=cognitrust::release v${version#v} has no binary for this runner; building the action's own source instead"
fi

# Build from source: a cache key that changes whenever the source does.
listing="${temp}/cognitrust-source.sha256"
: > "$listing"
while IFS= read -r file; do
  printf '%s  %s\n' "$(sha256 "${action_path}/${file}")" "$file" >> "$listing"
done < <(cd "$action_path" && { echo Cargo.lock; echo Cargo.toml; find src -type f; } | LC_ALL=C sort)
source_hash=$(sha256 "$listing")
output need-build true
output root "${temp}/cognitrust-build"
output key "cognitrust-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${source_hash}"
