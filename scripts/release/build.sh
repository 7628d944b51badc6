#!/usr/bin/env bash
# Builds the release binary for TARGET with the toolchain .ci/rust-toolchain.toml pins, and packs it
# with package.sh into OUTDIR. Linux targets are musl: static binaries that run on any
# distribution, glibc or not.
#
# Usage: build.sh TARGET OUTDIR
set -euo pipefail

target="${1:?usage: build.sh TARGET OUTDIR}"
out="${2:?usage: build.sh TARGET OUTDIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "${here}/../.."

# The channel .ci/rust-toolchain.toml pins, installed with the target's standard library.
channel=$(awk '
  /^\[/ { in_toolchain = ($0 == "[toolchain]") }
  in_toolchain && /^channel[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }
' .ci/rust-toolchain.toml)
[ -n "$channel" ] || { echo "build.sh: .ci/rust-toolchain.toml names no channel" >&2; exit 1; }
export RUSTUP_TOOLCHAIN="$channel"
if command -v rustup >/dev/null 2>&1; then
  rustup toolchain install "$channel" --profile minimal --no-self-update --target "$target"
fi
cargo build --release --locked --target "$target"
exe=""
[[ "$target" == *-windows-* ]] && exe=".exe"
binary="target/${target}/release/cognitrust${exe}"
if [[ "$target" == *-linux-musl ]] && command -v file >/dev/null 2>&1; then
  file "$binary" | grep -q 'statically linked\|static-pie linked' \
    || { echo "build.sh: ${binary} is not statically linked: $(file "$binary")" >&2; exit 1; }
fi
bash "${here}/package.sh" "$target" "$binary" "$out"
