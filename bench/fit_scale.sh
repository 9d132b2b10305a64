#!/usr/bin/env bash
# Fit-speed benchmark of `ltv fit` / `ltv predict` against the lifetimes figures quoted in issue #8.
#   bench/fit_scale.sh continuous|days|pipeline|all [WORKDIR]   (default WORKDIR /tmp/ltv-fit-scale)
# continuous: 100k and 1M simulated customers with continuous recency/T (from `ltv simulate
#   --latent`, every customer a distinct pattern), BG/NBD (bgnbd simulator) and Pareto/NBD (pnbd
#   simulator): wall time of `ltv fit` from reading the summary CSV to printed JSON.
# days: the same customers summarised from their day-resolution transactions (`ltv summary`), and
#   10k and 10M (fit-time growth), BG/NBD and Pareto/NBD.
# pipeline: 10M customers: fit BG/NBD, fit Gamma-Gamma, predict P(alive), CET and CLV for every
#   customer into a CSV (wall time and peak RSS of each step and in all).
# Every line gives wall and CPU (user + sys) time and the load average (`uptime`) at the end:
# the machine is shared, so under load the CPU time is the better guide. Needs the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
work=${2:-/tmp/ltv-fit-scale}
ltv=$PWD/build/bin/ltv
mkdir -p "$work"

load() { uptime | sed 's/.*load average: //'; }
# timed LABEL CMD...: runs CMD under /usr/bin/time -v, prints wall s, peak RSS MB and the load.
timed() {
  local label=$1
  shift
  /usr/bin/time -v "$@" 2> "$work/time.txt" > "$work/out.txt"
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/time.txt")
  wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}' |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident" "$work/time.txt" | awk '{print $NF}')
  printf "%-46s wall %7.2f s  cpu %7.2f s  peak %6d MB  load %s\n" "$label" "$wall" "$cpu" \
    "$((rss / 1024))" "$(load)"
}
patterns() { grep -o '"n_patterns": [0-9]*' "$work/out.txt" | awk '{print $2}'; }
ll() { grep -o '"log_likelihood": [-0-9.e]*' "$work/out.txt" | awk '{print $2}'; }

# simulate MODEL N: transactions (+ latent.csv) under $work/MODEL-N
simulate() {
  local model=$1 n=$2 dir=$work/$1-$2
  if [[ ! -f $dir/transactions.csv ]]; then
    local latent=--latent
    [[ $n -gt 1000000 ]] && latent=""
    # (--order customer: the files its recorded figures were measured on)
    $ltv simulate --model "$model" --customers "$n" --seed 1 --transactions-only --order customer \
      $latent -q -o "$dir"
  fi
  if [[ ! -f $dir/summary_days.csv ]]; then
    $ltv summary "$dir/transactions.csv" --customer customer_id --date date --amount amount \
      --quiet -o "$dir/summary_days.csv"
  fi
  if [[ -f $dir/latent.csv && ! -f $dir/summary_continuous.csv ]]; then
    # latent.csv: customer_id,acquisition_offset_days,T,x,t_x,... (weeks, continuous)
    awk -F, 'NR==1 {print "customer_id,frequency,recency,T"; next} {print $1","$4","$5","$3}' \
      "$dir/latent.csv" > "$dir/summary_continuous.csv"
  fi
}

fit_one() {  # fit_one MODEL FIT_MODEL N KIND
  local dir=$work/$1-$3
  timed "fit $2, $3 customers, $4" $ltv fit "$dir/summary_$4.csv" --model "$2"
  echo "    patterns $(patterns), LL $(ll)"
}

if [[ $what == continuous || $what == all ]]; then
  for n in 100000 1000000; do
    simulate bgnbd $n
    simulate pnbd $n
    fit_one bgnbd bgnbd $n continuous
    fit_one pnbd pnbd $n continuous
  done
fi
if [[ $what == days || $what == all ]]; then
  for n in 10000 100000 1000000 10000000; do
    simulate bgnbd $n
    fit_one bgnbd bgnbd $n days
  done
  for n in 100000 1000000; do
    simulate pnbd $n
    fit_one pnbd pnbd $n days
  done
fi
if [[ $what == pipeline || $what == all ]]; then
  n=10000000
  simulate bgnbd $n
  s=$work/bgnbd-$n/summary_days.csv
  t0=$(date +%s.%N)
  timed "10M: fit bgnbd" $ltv fit "$s" --model bgnbd -o "$work/bgnbd.json"
  timed "10M: fit gg" $ltv fit "$s" --model gg -o "$work/gg.json"
  timed "10M: predict p_alive, CET(52), CLV(12 months)" $ltv predict --model "$work/bgnbd.json" \
    --spend-model "$work/gg.json" "$s" --horizon 52 -o "$work/scores.csv"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "10M pipeline in all: %.2f s\n", b-a}'
  echo "scores: $(($(wc -l < "$work/scores.csv") - 1)) rows"
fi
