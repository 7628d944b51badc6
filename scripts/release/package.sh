#!/usr/bin/env bash
# Packs a built binary as the release archive of TARGET: OUTDIR/cognitrust-TARGET.tar.gz (a .zip
# for Windows targets) holding one folder, cognitrust-TARGET/, with the binary (cognitrust or
# cognitrust.exe), README.md, LICENSE-APACHE and LICENSE-MIT. Prints the archive's path.
#
# Entries are in a fixed order with fixed owners and the last commit's time where the tools allow
# (GNU tar, zip -X), so that packing the same binary twice gives the same bytes.
#
# Usage: package.sh TARGET BINARY OUTDIR
set -euo pipefail

target="${1:?usage: package.sh TARGET BINARY OUTDIR}"
binary="${2:?usage: package.sh TARGET BINARY OUTDIR}"
out="${3:?usage: package.sh TARGET BINARY OUTDIR}"
root="${COGNITRUST_RELEASE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

[[ "$target" =~ ^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(-[a-z0-9_]+)?$ ]] || { echo "package.sh: '${target}' is not a target triple" >&2; exit 1; }
[ -f "$binary" ] || { echo "package.sh: no binary at ${binary}" >&2; exit 1; }
name="cognitrust-${target}"
exe=""
[[ "$target" == *-windows-* ]] && exe=".exe"
docs=(README.md LICENSE-APACHE LICENSE-MIT)
for doc in "${docs[@]}"; do
  [ -f "${root}/${doc}" ] || { echo "package.sh: ${root}/${doc} is missing" >&2; exit 1; }
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "${stage}/${name}"
cp "$binary" "${stage}/${name}/cognitrust${exe}"
chmod 755 "${stage}/${name}/cognitrust${exe}"
for doc in "${docs[@]}"; do
  cp "${root}/${doc}" "${stage}/${name}/${doc}"
  chmod 644 "${stage}/${name}/${doc}"
done
entries=("${name}/cognitrust${exe}")
for doc in "${docs[@]}"; do entries+=("${name}/${doc}"); done

epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"
if [ -n "$exe" ]; then
  archive="${out}/${name}.zip"
  rm -f "$archive"
  if command -v zip >/dev/null 2>&1; then
    (cd "$stage" && zip -q -X "$archive" "${entries[@]}")
  elif command -v 7z >/dev/null 2>&1; then
    (cd "$stage" && 7z a -tzip -bd "$archive" "${entries[@]}" >/dev/null)
  else
    echo "package.sh: neither zip nor 7z is installed" >&2
    exit 1
  fi
else
  archive="${out}/${name}.tar.gz"
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    (cd "$stage" && tar -cf - --owner=0 --group=0 --numeric-owner --mtime="@${epoch}" \
      --no-recursion "$name" "${entries[@]}") | gzip -9 -n > "$archive"
  else
    # bsdtar (macOS): COPYFILE_DISABLE keeps AppleDouble ._ files of extended attributes out.
    (cd "$stage" && COPYFILE_DISABLE=1 tar -cf - "$name") | gzip -9 -n > "$archive"
  fi
fi
echo "$archive"
