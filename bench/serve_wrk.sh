#!/usr/bin/env bash
# Load on loopback for `ltv serve` (issue 19): wrk against the headline route of a simulated
# workspace, as docs/benchmarks.md reports it.
#   bench/serve_wrk.sh [CUSTOMERS] [SECONDS] [CONNECTIONS] [SERVER_THREADS]
# Needs Debian's wrk. The server and wrk share the machine; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-20000}
seconds=${2:-10}
connections=${3:-64}
server_threads=${4:-64}
ltv=build/bin/ltv
dir=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT

"$ltv" simulate --customers "$customers" --seed 7 -o "$dir/sim" -q --transactions-only
"$ltv" init "$dir/ws.db" >/dev/null
"$ltv" ingest "$dir/ws.db" "$dir/sim/transactions.csv" --customer customer_id --date date \
  --amount amount --order order_id -q >/dev/null
"$ltv" run "$dir/ws.db" -q >/dev/null
"$ltv" user add "$dir/ws.db" bench --role analyst >/dev/null
token=$("$ltv" token create "$dir/ws.db" bench 2>/dev/null)
port=18180
"$ltv" serve "$dir/ws.db" --listen 127.0.0.1:$port --threads "$server_threads" 2>/dev/null &
server=$!
sleep 1
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/kpis/headline" >/dev/null
echo "headline: $customers customers, wrk -t2 -c$connections -d${seconds}s, server --threads $server_threads"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/kpis/headline"
