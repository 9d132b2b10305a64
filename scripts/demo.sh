#!/usr/bin/env bash
# README command 1: install what is missing, build the release CLI (build/bin/ltv), simulate a
# retailer and run the main job on it. Idempotent: a re-run rebuilds nothing and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ltv

out=out/demo
ltv=build/bin/ltv
if [[ ! -f $out/data/truth.json ]]; then
  $ltv simulate --customers 20000 --seed 42 -o $out/data
fi
$ltv analyze $out/data/transactions.csv --customer customer_id --date date --amount amount --order order_id \
  --product product --category category --nps $out/data/nps.csv \
  --customers $out/data/customers.csv --contacts $out/data/contacts.csv \
  --spend $out/data/spend.csv --compare loyalty_member \
  -o $out/analysis
echo
echo "Results are in $out/analysis (simulated input in $out/data)."
echo "Report: open $out/analysis/report.html in a browser."
