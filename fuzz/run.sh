#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, seeded from
# corpus/<target> (testdata and the shared corpus), and prints libFuzzer's final stats line.
# cargo-fuzz needs nightly flags: RUSTC_BOOTSTRAP lets the stable toolchain take them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
for target in yaml json hcl cloudformation plan human; do
  mkdir -p "corpus/$target" "artifacts/$target"
  echo "== $target"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==.*ERROR|SUMMARY)" || true
done
