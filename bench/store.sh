#!/usr/bin/env bash
# Store benchmark (issue 18): ingest into SQLite and PostgreSQL against `ltv summary` on the same
# CSV, `ltv run` against `ltv analyze`, and an incremental run after a 1% batch against a full
# run — side by side in one run of this script.
#   bench/store.sh [CUSTOMERS] [WORKDIR]      (default 1000000 customers, /tmp/ltv-store-bench)
# Environment: LTV (the ltv binary, default build/bin/ltv), PG=0 skips PostgreSQL.
# The simulated file is date-ordered (the order exports come in); the 1% batch is its last 1% of
# rows. Prints wall seconds, rows per second and peak RSS (/usr/bin/time) of each step. The
# PostgreSQL server is started on 127.0.0.1 in WORKDIR (scripts/pg_test_server.sh) and stopped by
# its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-1000000}
work=${2:-/tmp/ltv-store-bench}
ltv=${LTV:-build/bin/ltv}
pg=${PG:-1}
mkdir -p "$work"
data=$work/data-$customers
columns=(--customer customer_id --date date --amount amount --order order_id)
if [[ ! -f $data/transactions.csv ]]; then
  $ltv simulate --customers "$customers" --seed 1 --transactions-only -q -o "$data"
fi
csv=$data/transactions.csv
rows=$(($(wc -l < "$csv") - 1))
head_rows=$((rows * 99 / 100))
head -n $((head_rows + 1)) "$csv" > "$work/first99.csv"
{ head -n 1 "$csv"; tail -n $((rows - head_rows)) "$csv"; } > "$work/last1.csv"

# step NAME ROWS COMMAND...: runs the command under /usr/bin/time, prints one line.
step() {
  local name=$1 n=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out.txt" 2> "$work/err.txt" ||
    { cat "$work/err.txt" >&2; exit 1; }
  read -r seconds kb < "$work/time"
  awk -v n="$name" -v r="$n" -v s="$seconds" -v kb="$kb" 'BEGIN {
    printf "%-44s %9.2f s %12.0f rows/s %8.0f MB\n", n, s, (s > 0 ? r / s : 0), kb / 1024 }'
}

echo "== $customers customers, $rows rows ($(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
step "ltv summary (CSV)" "$rows" $ltv summary "$csv" "${columns[@]}" -q -o "$work/summary.csv"
rm -f "$work/ws.db"*
$ltv init "$work/ws.db" > /dev/null
step "ltv ingest (SQLite)" "$rows" $ltv ingest "$work/ws.db" "$csv" "${columns[@]}" -q
if [[ $pg == 1 ]]; then
  port=$((20000 + $$ % 20000))
  rm -rf "$work/pg"
  pid=$(scripts/pg_test_server.sh start "$work/pg" "$port")
  trap 'scripts/pg_test_server.sh stop "$work/pg" "$pid"' EXIT
  url=postgresql://postgres@127.0.0.1:$port/ltv_test
  $ltv init "$url" > /dev/null
  step "ltv ingest (PostgreSQL, COPY)" "$rows" $ltv ingest "$url" "$csv" "${columns[@]}" -q
fi
step "ltv analyze (CSV)" "$rows" $ltv analyze "$csv" "${columns[@]}" --model bgnbd -q -o "$work/analysis"
step "ltv run (SQLite, full)" "$rows" $ltv run "$work/ws.db" --model bgnbd -q
if [[ $pg == 1 ]]; then
  step "ltv run (PostgreSQL, full)" "$rows" $ltv run "$url" --model bgnbd -q
fi
# Incremental: 99% of the rows and a full run, then the last 1% and an incremental run, then a
# full run on the same data.
rm -f "$work/inc.db"*
$ltv init "$work/inc.db" > /dev/null
$ltv ingest "$work/inc.db" "$work/first99.csv" "${columns[@]}" -q > /dev/null
$ltv run "$work/inc.db" --model bgnbd -q > /dev/null
step "ltv ingest (SQLite, 1% batch)" "$((rows - head_rows))" $ltv ingest "$work/inc.db" "$work/last1.csv" "${columns[@]}" -q
step "ltv run --incremental (SQLite, after 1%)" "$rows" $ltv run "$work/inc.db" --model bgnbd --incremental -q
step "ltv run (SQLite, full, same data)" "$rows" $ltv run "$work/inc.db" --model bgnbd -q
