#!/usr/bin/env bash
# Times cognitrust against the tools users would pick instead, on the same files, in one run:
# cfn-lint and checkov (PyPI), cfn-guard (crates.io), and cognitrust's own parse-only floor.
# Writes bench/results/*.json (hyperfine) and prints the ratios BENCHMARKS.md records.
#
# Usage: bash bench/run.sh [CORPUS]   (default ../shared/corpus)
# Needs: hyperfine and GNU time (Debian packages), cfn-lint and checkov (pip), cfn-guard
# (cargo install cfn-guard); the script installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=bench/results
mkdir -p "$results"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[ -x /usr/bin/time ] || apt-get install -y -qq time
command -v cfn-lint >/dev/null || python3 -m pip install --quiet 'cfn-lint>=1,<2'
command -v checkov >/dev/null || python3 -m pip install --quiet checkov
command -v cfn-guard >/dev/null || cargo install --locked cfn-guard

cargo build --release --quiet
bin=$PWD/target/release/cognitrust

python3 bench/select_templates.py "$corpus" "$work/cfn"
small="testdata/cfn/CT106/pass.yaml"
guard_rules="$work/trust.guard"
if [ -f rules/cognito-trust.guard ]; then
  cp rules/cognito-trust.guard "$guard_rules"
else
  printf 'rule roles_have_trust when Resources.*[ Type == "AWS::IAM::Role" ] exists {\n  Resources.*[ Type == "AWS::IAM::Role" ].Properties.AssumeRolePolicyDocument exists\n}\n' > "$guard_rules"
fi

echo "== machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true; free -m | head -2
echo "== versions"; "$bin" --version; cfn-lint --version; checkov --version; cfn-guard --version; hyperfine --version

echo "== whole corpus/general: scan vs parse-only floor"
# No shell (-N) and 30 runs: on a shared virtual machine the median is what is compared.
hyperfine -i -N --warmup 3 --runs 30 --export-json "$results/general.json" \
  -n "cognitrust scan" "$bin scan $corpus/general --format json --fail-on never -o /dev/null" \
  -n "parse-only floor" "$bin parse $corpus/general"

echo "== the CloudFormation templates: cognitrust vs cfn-lint, checkov, cfn-guard"
hyperfine -i -N --warmup 3 --runs 30 --export-json "$results/cfn-cognitrust.json" \
  -n "cognitrust" "$bin scan $work/cfn --format json --fail-on never -o /dev/null" \
  -n "cognitrust parse-only" "$bin parse $work/cfn" \
  -n "cfn-guard" "cfn-guard validate -d $work/cfn -r $guard_rules --show-summary none"
hyperfine -i --runs 2 --export-json "$results/cfn-others.json" \
  -n "cfn-lint" "cfn-lint $work/cfn/* > /dev/null || true" \
  -n "checkov" "checkov -d $work/cfn --framework cloudformation --quiet --compact > /dev/null || true"

echo "== one small template, start-up included"
hyperfine -i --warmup 5 --runs 100 -N --export-json "$results/small.json" \
  -n "cognitrust small" "$bin scan $small --fail-on never"

echo "== peak memory on corpus/general (KiB)"
/usr/bin/time -f "%M" "$bin" scan "$corpus/general" --format json --fail-on never -o /dev/null 2> "$work/mem" || true
tail -1 "$work/mem" | tee "$results/peak-memory-kib.txt"

python3 bench/ratios.py "$results"
