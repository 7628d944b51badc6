#!/usr/bin/env bash
# Regenerates cdk.out from the app, without AWS credentials or network calls beyond npm's
# registry (npm ci). The tests read the committed cdk.out and never need npm.
#
# The stacks pin their account and region, so the output is the same on every machine. CDK
# records where the app created each resource (`aws:cdk:creationStack` in *.metadata.json, on by
# default, no --debug needed); the app's absolute folder is rewritten so those frames read
# `lib/broken-stack.ts:22:23`, relative to this folder.
set -euo pipefail
cd "$(dirname "$0")"

export CDK_DISABLE_VERSION_CHECK=1
export CDK_DISABLE_CLI_TELEMETRY=true
export npm_config_update_notifier=false
export npm_config_fund=false
export npm_config_audit=false

npm ci
rm -rf cdk.out
npx cdk synth --no-notices --no-version-reporting --no-lookups --quiet --output cdk.out

app_dir="$(pwd -P)"
for f in cdk.out/*.json; do
  sed -i.bak "s#${app_dir}/##g" "$f" && rm -f "$f.bak"
done
# Staged assets (Lambda code and the like) are not committed; this app has none.
rm -rf cdk.out/asset.*
if grep -rl "$app_dir" cdk.out; then
  echo "synth.sh: absolute paths remain in the files above" >&2
  exit 1
fi
echo "synthesized to $(pwd)/cdk.out"
