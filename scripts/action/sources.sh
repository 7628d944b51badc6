#!/usr/bin/env bash
# The source a cognitrust binary is built from, one `SHA256  PATH` line per file in byte order of
# the paths: Cargo.toml, Cargo.lock, .ci/rust-toolchain.toml (the compiler) and src/. Nothing else in
# the repository changes the binary (README, tests, the action's scripts do not).
#
# The release workflow publishes this listing as SOURCE-SHA256SUMS, and its hash is in the
# release's checksums; the action (resolve.sh) hashes its own listing to tell whether its source
# is the source a release was built from, and uses the same hash as its build cache key.
#
# Carriage returns are dropped before hashing, so a Windows checkout that turned LF into CRLF
# lists the same hashes (the files have none of their own); on an LF checkout every line checks
# with `sha256sum -c`.
#
# Usage: sources.sh DIR
set -euo pipefail

dir="${1:?usage: sources.sh DIR}"
cd "$dir"

sha256_of_stdin() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1
  else shasum -a 256 | cut -d' ' -f1; fi
}

files() {
  local f
  for f in Cargo.toml Cargo.lock .ci/rust-toolchain.toml; do
    if [ -f "$f" ]; then echo "$f"; fi
  done
  find src -type f
}

if [ ! -f Cargo.toml ] || [ ! -d src ]; then
  echo "sources.sh: ${dir} holds no Cargo.toml and src/" >&2
  exit 1
fi
files | LC_ALL=C sort | while IFS= read -r file; do
  printf '%s  %s\n' "$(tr -d '\r' < "$file" | sha256_of_stdin)" "$file"
done
