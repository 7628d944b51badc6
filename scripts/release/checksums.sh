#!/usr/bin/env bash
# Writes, into the folder of a release's assets (archives and wheels), SOURCE-SHA256SUMS (the
# source the binaries were built from, scripts/action/sources.sh) and then SHA256SUMS over every
# asset, SOURCE-SHA256SUMS included, sorted by name. That SHA256SUMS is the file a maintainer
# commits as scripts/action/checksums/vX.Y.Z.sha256 (RELEASING.md).
#
# Usage: checksums.sh DIR
set -euo pipefail

dir="${1:?usage: checksums.sh DIR}"
root="${COGNITRUST_RELEASE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

bash "${root}/scripts/action/sources.sh" "$root" > "${dir}/SOURCE-SHA256SUMS"
cd "$dir"
rm -f SHA256SUMS
assets=()
while IFS= read -r name; do
  case "$name" in
    cognitrust-*.tar.gz|cognitrust-*.zip|cognitrust-*.whl|SOURCE-SHA256SUMS) assets+=("$name") ;;
    *) echo "checksums.sh: ${dir}/${name} is not a release asset (an archive, a wheel or SOURCE-SHA256SUMS)" >&2; exit 1 ;;
  esac
done < <(find . -maxdepth 1 -type f | sed 's|^\./||' | LC_ALL=C sort)
for name in "${assets[@]}"; do
  printf '%s  %s\n' "$(sha256 "$name")" "$name"
done > SHA256SUMS.tmp
mv SHA256SUMS.tmp SHA256SUMS
cat SHA256SUMS
