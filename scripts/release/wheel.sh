#!/usr/bin/env bash
# Builds the cognitrust wheel: the binary for TARGET (empty for this machine's own) packed by
# maturin (python/pyproject.toml, `bindings = "bin"`), into OUTDIR.
#
#   scripts/release/wheel.sh [TARGET] [OUTDIR]
#
# Environment: MATURIN (default: maturin on PATH); PROFILE (default: release, the profile the
# archives ship; tests use dev); MATURIN_ARGS (more arguments, such as --zig for musl targets
# built on another host, or --compatibility).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${1:-}"
out="${2:-$root/target/wheels}"
maturin="${MATURIN:-maturin}"
profile="${PROFILE:-release}"

# maturin ships the LICENSE* files it finds beside pyproject.toml; the wheel project lives in
# python/ (the repository's root pyproject.toml is the pre-commit hook's), so the licences are
# copied there for the build (.gitignore lists the copies).
cp "$root/LICENSE-APACHE" "$root/LICENSE-MIT" "$root/python/"

args=(build --locked --profile "$profile" --out "$out")
[ -n "$target" ] && args+=(--target "$target")
# shellcheck disable=SC2206 # MATURIN_ARGS is a list of words by design
[ -n "${MATURIN_ARGS:-}" ] && args+=(${MATURIN_ARGS})
(cd "$root/python" && "$maturin" "${args[@]}")
