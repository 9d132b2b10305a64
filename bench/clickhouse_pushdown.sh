#!/usr/bin/env bash
# The push-down against the local path on the same simulated transactions: starts the 2-shard
# test cluster (scripts/clickhouse_test_cluster.sh, 127.0.0.1 only), loads `ltv simulate`'s
# transactions into a Distributed table sharded by customer, then times `ltv summary` and
# `ltv fit --model bgnbd` on the CSV file and on clickhouse://, with the peak memory of the ltv
# process (GNU time), and checks that both summaries have the same bytes. Stops the cluster by
# PID at exit. Then `ltv predict --model bgnbd --clv` on both, the ClickHouse one written back
# to a ClickHouse table (scores joined there), compared customer by customer.
#
#   bench/clickhouse_pushdown.sh [CUSTOMERS=200000] [LTV=build/bin/ltv]
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-200000}
ltv=${2:-build/bin/ltv}
dir=$(mktemp -d /tmp/ltv_clickhouse_bench.XXXXXX)
base=$((32000 + ($$ % 1000) * 4))
trap 'scripts/clickhouse_test_cluster.sh stop "$dir/cluster"; rm -rf "$dir"' EXIT

"$ltv" simulate --customers "$customers" --seed 42 --transactions-only -o "$dir/sim" >&2
scripts/clickhouse_test_cluster.sh start "$dir/cluster" "$base" >/dev/null
ch() {  # shard, SQL
  clickhouse-client --host 127.0.0.1 --port $((base + 2 * $1 + 1)) --query "$2"
}
for shard in 0 1; do
  ch "$shard" "CREATE TABLE default.tx_local (customer_id String, date Date, amount Float64)
               ENGINE = MergeTree ORDER BY (customer_id, date)"
  ch "$shard" "CREATE TABLE default.tx AS default.tx_local
               ENGINE = Distributed(ltv_test, default, tx_local, cityHash64(customer_id))"
done
start=$(date +%s.%N)
tail -n +2 "$dir/sim/transactions.csv" | cut -d, -f1-3 |
  clickhouse-client --host 127.0.0.1 --port $((base + 1)) --insert_distributed_sync=1 \
    --query "INSERT INTO default.tx FORMAT CSV"
load=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
rows=$(ch 0 "SELECT count() FROM default.tx")
echo "rows: $rows transactions of $customers customers; load into ClickHouse: ${load} s"

mapping="--customer customer_id --date date --amount amount --calibration-end 2025-06-30"
url="clickhouse://127.0.0.1:$base/default.tx"
measure() {  # label, command...
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >"$dir/out" 2>/dev/null
  read -r seconds kb <"$dir/time"
  printf '%-34s %7.2f s  %8.1f MB peak RSS\n' "$label" "$seconds" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')"
}
measure "summary, local CSV" "$ltv" summary "$dir/sim/transactions.csv" $mapping -q -o "$dir/local.csv"
measure "summary, ClickHouse push-down" "$ltv" summary "$url" $mapping -q -o "$dir/pushed.csv"
if cmp -s "$dir/local.csv" "$dir/pushed.csv"; then
  echo "summaries: identical ($(($(wc -l <"$dir/local.csv") - 1)) customers)"
else
  echo "summaries: DIFFER"
  diff "$dir/local.csv" "$dir/pushed.csv" | head -5
fi
measure "fit bgnbd, local CSV" "$ltv" fit "$dir/sim/transactions.csv" $mapping -q --model bgnbd --format csv
cp "$dir/out" "$dir/fit_local.csv"
measure "fit bgnbd, ClickHouse push-down" "$ltv" fit "$url" $mapping -q --model bgnbd --format csv
cut -d, -f2,3,8,9 "$dir/fit_local.csv" | paste -d' ' - <(cut -d, -f3 "$dir/out")

# The predict step (issue 20, second slice): bgnbd fitted on the input, CLV with Gamma-Gamma,
# on the CSV file (to a CSV) and on clickhouse:// (patterns scored, joined back and written to
# a ClickHouse table), then the two compared customer by customer.
predict_opts="--model bgnbd --clv --horizon 52"
measure "predict --clv, local CSV" "$ltv" predict "$dir/sim/transactions.csv" $mapping -q \
  $predict_opts -o "$dir/predict_local.csv"
measure "predict --clv, ClickHouse write-back" "$ltv" predict "$url" $mapping $predict_opts \
  -o "clickhouse://127.0.0.1:$base/default.scores"
ch 0 "SELECT customer_id, p_alive, expected_purchases, clv FROM default.scores FORMAT CSV" |
  tr -d '"' | LC_ALL=C sort >"$dir/predict_ch.csv"
awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) col[$k] = k; next }
  { print $1 "," $col["p_alive"] "," $col["expected_purchases"] "," $col["clv"] }' \
  "$dir/predict_local.csv" |
  LC_ALL=C sort >"$dir/predict_local_cols.csv"
LC_ALL=C join -t, "$dir/predict_local_cols.csv" "$dir/predict_ch.csv" | awk -F, '
  function rel(a, b) { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); if ((b < 0 ? -b : b) > m) m = (b < 0 ? -b : b); return m == 0 ? 0 : d / m }
  { n++; for (k = 2; k <= 4; k++) { r = rel($k, $(k + 3)); if (r > worst) worst = r } }
  END { printf "predict: %d customers in both; largest relative difference %.3g\n", n, worst }'
echo "customers in the ClickHouse table: $(ch 0 'SELECT count() FROM default.scores')"
# With a saved Gamma-Gamma model only the patterns travel (no (x, m) groups for a fit).
"$ltv" fit "$url" $mapping -q --model gg -o "$dir/gg.json"
measure "predict --spend-model, ClickHouse" "$ltv" predict "$url" $mapping --model bgnbd \
  --spend-model "$dir/gg.json" --horizon 52 -o "clickhouse://127.0.0.1:$base/default.scores"
# The per-step times and the rows that travelled, of both ClickHouse runs.
"$ltv" predict "$url" $mapping $predict_opts -o "clickhouse://127.0.0.1:$base/default.scores" \
  2>&1 | grep -E "scored|steps"
"$ltv" predict "$url" $mapping --model bgnbd --spend-model "$dir/gg.json" --horizon 52 \
  -o "clickhouse://127.0.0.1:$base/default.scores" 2>&1 | grep -E "scored|steps"
