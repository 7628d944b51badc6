#!/usr/bin/env bash
# Times a cognitrust binary on each folder of hostile inputs (bench/hostile.py writes them):
# wall time and peak RSS from GNU time, the exit status, and the findings by rule.
# Usage: bash bench/hostile.sh INPUTS BINARY [FORMAT] [TIMEOUT_SECONDS]
set -uo pipefail
inputs=${1:?usage: hostile.sh INPUTS BINARY [FORMAT] [TIMEOUT]}
bin=$(realpath "${2:?usage: hostile.sh INPUTS BINARY [FORMAT] [TIMEOUT]}")
format=${3:-json}
limit=${4:-120}
printf '| input | time | peak RSS | exit | findings (%s) |\n|---|---|---|---|---|\n' "$format"
for dir in "$inputs"/*/; do
  name=$(basename "$dir")
  out=$(mktemp); stats=$(mktemp)
  (cd "$dir" && /usr/bin/time -o "$stats" -f '%e %M' timeout "$limit" "$bin" scan --no-config --format "$format" . > "$out" 2>/dev/null)
  status=$?
  read -r secs kb < <(tail -1 "$stats")
  if [ "$format" = json ]; then
    summary=$(python3 -c '
import json, sys, collections
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("no report"); sys.exit()
c = collections.Counter(f["rule"] for f in d["findings"])
text = ", ".join(f"{r} x{n}" if n > 1 else r for r, n in sorted(c.items())) or "none"
e = len(d["errors"])
print(text + ("; %d input errors" % e if e else ""))' "$out")
  else
    summary="$(wc -c < "$out") bytes of output"
  fi
  [ "$status" = 124 ] && summary="no result within ${limit} s"
  [ "$status" -gt 128 ] && [ "$status" != 124 ] && summary="killed by signal $((status - 128))"
  printf '| %s | %s s | %s MB | %s | %s |\n' "$name" "$secs" "$((${kb:-0} / 1024))" "$status" "$summary"
  rm -f "$out" "$stats"
done
