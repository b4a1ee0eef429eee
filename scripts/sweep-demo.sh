#!/usr/bin/env bash
# A small phase diagram through the public API only: (a + b) mod 31 on a small MLP, weight decay × train fraction,
# two seeds, 3000 steps per run (24 runs; about 5 to 10 minutes on 2 cores). Writes to docs/:
#   sweep-phase-diagram.svg    the diagram, coloured by verdict
#   sweep-demo.json            the sweep: every cell with its runs, verdicts and headline numbers
#   sweep-phase-diagram.json   the diagram as JSON (value = generalizationStep)
#   sweep-summary.csv          steps to generalize against the train fraction, spread over seeds and weight decays
#
# Start the service first, e.g.
#   mvn spring-boot:run -Dspring-boot.run.arguments="--server.port=18181 \
#       --grokscope.embedded-postgres.data-directory=/tmp/sweep-demo-pg"
# then: scripts/sweep-demo.sh [base URL, default http://localhost:18181]
#
# The analysis thresholds are fixed here, before any run: train accuracy 0.99 (Power et al.), test accuracy 0.95
# (Grokfast's and Omnigrok's 95%), and a grokking delay of at least 500 steps. Liu et al. call a gap of 10^3 steps
# grokking within 10^5-step budgets; these budgets are 3000 steps, in which such a delay is a sixth of the run.
set -euo pipefail

BASE_URL="${1:-http://localhost:18181}"
OUT="$(cd "$(dirname "$0")/.." && pwd)/docs"
command -v jq >/dev/null || { echo "this script needs jq" >&2; exit 1; }
mkdir -p "$OUT"

SWEEP='{
  "name": "mod31-wd-x-fraction",
  "base": {
    "task": {"operation": "ADD", "modulus": 31},
    "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64]},
    "optimizer": {"type": "ADAMW", "learningRate": 0.01},
    "training": {"steps": 3000, "evalEvery": 20, "checkpointEvery": 1000},
    "analysis": {"memorizationThreshold": 0.99, "generalizationThreshold": 0.95, "grokkingMinDelay": 500,
                 "progressMeasuresEvery": 500}
  },
  "axes": {
    "optimizer.weightDecay": [0, 0.3, 1, 3],
    "task.trainFraction": [0.3, 0.5, 0.7]
  },
  "seeds": [0, 1]
}'

started=$(date +%s)
response=$(curl -sS -w '\n%{http_code}' -X POST "$BASE_URL/api/v1/sweeps" -H 'Content-Type: application/json' \
    -d "$SWEEP")
status=$(tail -n1 <<<"$response")
body=$(sed '$d' <<<"$response")
if [ "$status" != 202 ]; then
    echo "the sweep was refused ($status):" >&2
    echo "$body" | jq . >&2
    exit 1
fi
id=$(jq -r .id <<<"$body")
echo "sweep $id: $(jq -r .progress.total <<<"$body") experiments queued"

while :; do
    progress=$(curl -sS "$BASE_URL/api/v1/sweeps/$id" | jq -c .progress)
    done_=$(jq .done <<<"$progress")
    total=$(jq .total <<<"$progress")
    echo "$(date +%T) $(jq -r '"\(.done)/\(.total) done (\(.running) running, \(.queued) queued, \(.failed) failed)"' \
        <<<"$progress")"
    [ "$done_" -ge "$total" ] && break
    sleep 15
done

curl -sS "$BASE_URL/api/v1/sweeps/$id" | jq . >"$OUT/sweep-demo.json"
diagram="$BASE_URL/api/v1/sweeps/$id/phase-diagram?x=optimizer.weightDecay&y=task.trainFraction"
curl -sS -H 'Accept: image/svg+xml' "$diagram" >"$OUT/sweep-phase-diagram.svg"
curl -sS "$diagram&value=generalizationStep" | jq . >"$OUT/sweep-phase-diagram.json"
curl -sS -H 'Accept: text/csv' \
    "$BASE_URL/api/v1/sweeps/$id/summary?x=task.trainFraction&value=generalizationStep" >"$OUT/sweep-summary.csv"

echo
echo "verdicts (rows: train fraction, columns: weight decay 0, 0.3, 1, 3):"
jq -r '.rows[] | "\(.y)\t" + ([.cells[] | "\(.verdict // "-") \(.verdictCounts[.verdict // "GROKKING"])/2"]
    | join("\t"))' "$OUT/sweep-phase-diagram.json"
echo
echo "steps to generalize (test accuracy >= 0.95) against the train fraction, over seeds and weight decays:"
column -s, -t <"$OUT/sweep-summary.csv" 2>/dev/null || cat "$OUT/sweep-summary.csv"
echo
echo "wall time: $(( $(date +%s) - started )) s; files in $OUT"
