#!/usr/bin/env bash
# README command 1: install what is missing, build the release CLI (build/bin/ltv), simulate a
# retailer, load it into a workspace (the SQLite file out/demo/ltv.db) and run the main job there.
# Idempotent: a re-run rebuilds nothing, ingests nothing new and adds one run in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ltv

out=out/demo
ltv=build/bin/ltv
if [[ ! -f $out/data/truth.json || ! -f $out/data/products.csv ]]; then
  $ltv simulate --customers 20000 --seed 42 -o $out/data
fi
# Through a workspace (issue 18): an embedded SQLite database holding the inputs and every run.
# Re-ingesting the same files is recognised (same content) and changes nothing.
db=$out/ltv.db
[[ -f $db ]] || $ltv init $db
$ltv ingest $db $out/data/transactions.csv --customer customer_id --date date --amount amount \
  --order order_id --product product --category category -q
for kind in customers nps contacts spend; do
  $ltv ingest $db $out/data/$kind.csv --kind $kind
done
$ltv ingest $db $out/data/products.csv --kind products --product product
# Users of the server (ltv serve): an analyst and two partners (suppliers) with disjoint brands,
# each with a token, created once; the tokens (shown once by ltv token create) are kept in
# $out/tokens.txt, readable by this user only.
tokens=$out/tokens.txt
if ! $ltv user list $db | grep -q '^analyst,'; then
  $ltv user add $db analyst --role analyst
  $ltv user add $db aurora --role partner --brands Aurora
  $ltv user add $db borealis --role partner --brands Borealis,Cedar
  (umask 077 && for user in analyst aurora borealis; do
    echo "$user $($ltv token create $db $user)"
  done > $tokens)
fi
$ltv run $db --compare loyalty_member
$ltv export $db all -o $out/analysis
echo
echo "Workspace (SQLite): $db -- list its runs with: $ltv runs $db"
echo "Results of the newest run are in $out/analysis (simulated input in $out/data)."
echo "Report: open $out/analysis/report.html in a browser."
echo
echo "Serve it:  $ltv serve $db --listen 127.0.0.1:8080"
echo "Dashboard: open http://127.0.0.1:8080/ in a browser and sign in with a token below"
echo "  (analyst: the analyst pages; aurora, borealis: their own brands only)"
if [[ -f $tokens ]]; then
  while read -r user token; do
    echo "  as $user:  curl -H 'Authorization: Bearer $token' http://127.0.0.1:8080/api/v1/$(
      [[ $user == analyst ]] && echo kpis/headline || echo partner/kpis)"
  done < $tokens
fi
