#!/usr/bin/env bash
# Scale benchmark: simulate a retailer, then time reading it.
#   bench/scale.sh [CUSTOMERS] [WORKDIR]      (default 10000000 customers, /tmp/ltv-scale)
# Prints, for the same cached file: `wc -l` wall time and throughput, `ltv summary` wall time,
# throughput, peak RSS (/usr/bin/time -v), and the ratio of the two speeds. Needs the release
# build (build/bin/ltv; LTV=path/to/ltv times another build). Deletes nothing it did not create;
# remove WORKDIR afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-10000000}
work=${2:-/tmp/ltv-scale}
ltv=${LTV:-build/bin/ltv}
mkdir -p "$work"
data=$work/data-$customers

if [[ ! -f $data/transactions.csv ]]; then
  echo "== simulate $customers customers"
  /usr/bin/time -v $ltv simulate --customers "$customers" --seed 1 --transactions-only -o "$data" \
    2> "$work/simulate.time"
  grep -E "Elapsed|Maximum resident" "$work/simulate.time"
fi
csv=$data/transactions.csv
bytes=$(stat -c %s "$csv")
rows=$(($(wc -l < "$csv") - 1))   # also warms the page cache
echo "file: $csv, $bytes bytes, $rows rows"

now() { date +%s.%N; }
t0=$(now); wc -l "$csv" >/dev/null; t1=$(now)
wc_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

# The previous output is removed first: rewriting an existing 1.45 GB file in place makes ext4
# flush it when it is closed (auto_da_alloc, 0.6-0.8 s measured here), a cost of the file system's
# replace-by-truncate heuristic, not of ltv.
rm -f "$work/summary.csv"
/usr/bin/time -v $ltv summary "$csv" --customer customer_id --date date --amount amount \
  --quiet -o "$work/summary.csv" 2> "$work/summary.time"
sum_s=$(grep "Elapsed (wall clock)" "$work/summary.time" | awk '{print $NF}' |
  awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
rss_kb=$(grep "Maximum resident" "$work/summary.time" | awk '{print $NF}')

awk -v bytes="$bytes" -v rows="$rows" -v w="$wc_s" -v s="$sum_s" -v rss="$rss_kb" 'BEGIN {
  printf "wc -l:       %8.3f s  %8.1f MB/s\n", w, bytes / w / 1e6
  printf "ltv summary: %8.3f s  %8.1f MB/s  %.1f M rows/s  peak RSS %.2f GB\n", s, bytes / s / 1e6, rows / s / 1e6, rss / 1048576
  printf "ratio (ltv summary speed / wc -l speed): %.3f\n", w / s }'
