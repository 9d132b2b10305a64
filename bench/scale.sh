#!/usr/bin/env bash
# Scale benchmark: simulate a retailer in each row order, then time `ltv summary` on it.
#   bench/scale.sh [CUSTOMERS] [WORKDIR]      (default 10000000 customers, /tmp/ltv-scale)
# Environment: ORDERS (default "customer date shuffled"), SIM_OPTIONS (more `ltv simulate`
# options, e.g. "--params r=0.48 --weeks 208"; they name the data directory too), LTV (the ltv
# binary, default build/bin/ltv: LTV=path/to/ltv times another build).
# Prints, per order and for the same cached file: `wc -l` wall time and throughput, `ltv summary`
# wall time, throughput, user + system CPU and peak RSS (/usr/bin/time -v), and the ratio of the
# two speeds; then whether the summaries of the orders are byte-identical. Deletes nothing it did
# not create; remove WORKDIR afterwards (each order's file is as large as the others).
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-10000000}
work=${2:-/tmp/ltv-scale}
ltv=${LTV:-build/bin/ltv}
orders=${ORDERS:-customer date shuffled}
sim_options=${SIM_OPTIONS:-}
tag=$(echo "$sim_options" | tr -c 'a-zA-Z0-9.=\n' '_' | tr -s '_')
mkdir -p "$work"
now() { date +%s.%N; }

summaries=()
for order in $orders; do
  data=$work/data-$customers${tag:+-$tag}-$order
  if [[ ! -f $data/transactions.csv ]]; then
    echo "== simulate $customers customers, order $order $sim_options"
    # shellcheck disable=SC2086  # SIM_OPTIONS is a list of options
    /usr/bin/time -v $ltv simulate --customers "$customers" --seed 1 --transactions-only \
      --order "$order" $sim_options -q -o "$data" 2> "$work/simulate.time"
    grep -E "Elapsed|Maximum resident" "$work/simulate.time"
  fi
  csv=$data/transactions.csv
  bytes=$(stat -c %s "$csv")
  rows=$(($(wc -l < "$csv") - 1))   # also warms the page cache
  t0=$(now); wc -l "$csv" >/dev/null; t1=$(now)
  wc_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  # The previous output is removed first: rewriting an existing 1.45 GB file in place makes ext4
  # flush it when it is closed (auto_da_alloc, 0.6-0.8 s measured here), a cost of the file
  # system's replace-by-truncate heuristic, not of ltv.
  out=$work/summary-$order.csv
  rm -f "$out"
  /usr/bin/time -v $ltv summary "$csv" --customer customer_id --date date --amount amount \
    --quiet -o "$out" 2> "$work/summary.time"
  summaries+=("$out")
  sum_s=$(grep "Elapsed (wall clock)" "$work/summary.time" | awk '{print $NF}' |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user_s=$(grep "User time" "$work/summary.time" | awk '{print $NF}')
  sys_s=$(grep "System time" "$work/summary.time" | awk '{print $NF}')
  rss_kb=$(grep "Maximum resident" "$work/summary.time" | awk '{print $NF}')
  echo "order $order: $csv, $bytes bytes, $rows rows"
  awk -v bytes="$bytes" -v rows="$rows" -v w="$wc_s" -v s="$sum_s" -v rss="$rss_kb" \
    -v u="$user_s" -v sy="$sys_s" 'BEGIN {
    printf "  wc -l:       %8.3f s  %8.1f MB/s\n", w, bytes / w / 1e6
    printf "  ltv summary: %8.3f s  %8.1f MB/s  %.1f M rows/s  CPU %.2f + %.2f s  peak RSS %.2f GiB\n", s, bytes / s / 1e6, rows / s / 1e6, u, sy, rss / 1048576
    printf "  ratio (ltv summary speed / wc -l speed): %.3f\n", w / s }'
done
if [[ ${#summaries[@]} -gt 1 ]]; then
  same=yes
  for s in "${summaries[@]:1}"; do cmp -s "${summaries[0]}" "$s" || same=no; done
  echo "summaries of the orders byte-identical: $same"
fi
