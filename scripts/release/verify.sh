#!/usr/bin/env bash
# The gate before a release is published (RELEASING.md): the assets in DIR, downloaded from the
# draft release, are exactly the ones whose checksums are committed in the tagged tree, and were
# built from the tagged tree's source.
#
# Checks that Cargo.toml's version is VERSION; that scripts/action/checksums/vVERSION.sha256 is
# committed and is byte for byte the release's SHA256SUMS; that every asset is listed there with
# its hash and nothing else is in DIR; that every archive the action downloads is there; and that
# the release's SOURCE-SHA256SUMS is the listing of this checkout's source.
#
# Usage: verify.sh VERSION DIR   (COGNITRUST_RELEASE_ROOT: the checkout, default this one)
set -euo pipefail

version="${1:?usage: verify.sh VERSION DIR}"
version="${version#v}"
dir="${2:?usage: verify.sh VERSION DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${COGNITRUST_RELEASE_ROOT:-$(cd "${here}/../.." && pwd)}"
committed="${root}/scripts/action/checksums/v${version}.sha256"
targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)

fail() { echo "verify.sh: $1" >&2; exit 1; }
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

COGNITRUST_RELEASE_ROOT="$root" bash "${here}/version.sh" "$version" >/dev/null
[ -f "$committed" ] || fail "scripts/action/checksums/v${version}.sha256 is not committed in this checkout"
[ -f "${dir}/SHA256SUMS" ] || fail "the release has no SHA256SUMS"
cmp -s "$committed" "${dir}/SHA256SUMS" \
  || fail "the release's SHA256SUMS differs from the committed scripts/action/checksums/v${version}.sha256"

listed=()
while read -r hash name; do
  [ -f "${dir}/${name}" ] || fail "${name} is listed but not in the release"
  [ "$(sha256 "${dir}/${name}")" = "$hash" ] || fail "${name} does not match its committed checksum"
  listed+=("$name")
done < "$committed"
[ "${#listed[@]}" -gt 0 ] || fail "scripts/action/checksums/v${version}.sha256 lists nothing"
while IFS= read -r name; do
  [ "$name" = SHA256SUMS ] && continue
  printf '%s\n' "${listed[@]}" | grep -qxF -- "$name" || fail "${name} is in the release but has no committed checksum"
done < <(find "$dir" -maxdepth 1 -type f | sed 's|^.*/||')
for target in "${targets[@]}"; do
  archive="cognitrust-${target}.tar.gz"
  [[ "$target" == *-windows-* ]] && archive="cognitrust-${target}.zip"
  printf '%s\n' "${listed[@]}" | grep -qxF -- "$archive" || fail "the release has no ${archive}"
done
bash "${root}/scripts/action/sources.sh" "$root" | cmp -s - "${dir}/SOURCE-SHA256SUMS" \
  || fail "the binaries were not built from this checkout's source (SOURCE-SHA256SUMS differs from scripts/action/sources.sh)"
echo "release v${version}: ${#listed[@]} assets match scripts/action/checksums/v${version}.sha256 and this source"
