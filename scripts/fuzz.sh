#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/<target>_fuzz.cpp, built by the `fuzz` preset: clang
# 14, AddressSanitizer + UBSan) for SECONDS seconds each, one after the other:
#   scripts/fuzz.sh [SECONDS]            (default 60; FUZZ_TARGETS="csv rule" runs only those)
# Each target starts from its committed seed corpus (tests/fuzz/corpus/<target>/) and the inputs
# kept by earlier runs ($FUZZ_WORK/corpus/<target>/, where new ones are added). A crash, a leak,
# a timeout (10 s for one input) or an allocation past 2 GB stops the target; its input is in
# $FUZZ_WORK/crashes/<target>/ and the script exits 1 after the others ran. Turn every crash
# into a regression input under tests/fuzz/regressions/<target>/ (the test suite replays them).
# One line per target on stdout: seconds, executions, corpus files and bytes. FUZZ_WORK=DIR
# keeps the corpus, crashes and logs of a run elsewhere (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=${FUZZ_TARGETS:-csv load table segment_toml playbook_toml rule json summary model_file server_params}
work=${FUZZ_WORK:-build-fuzz}

scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null

status=0
for t in $targets; do
  corpus=$work/corpus/$t
  crashes=$work/crashes/$t
  log=$work/fuzz-$t.log
  mkdir -p "$corpus" "$crashes"
  dict=()
  [[ -f tests/fuzz/dict/$t.dict ]] && dict=(-dict="tests/fuzz/dict/$t.dict")
  start=$(date +%s)
  if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
       UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 OMP_NUM_THREADS=1 \
       "build-fuzz/bin/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=16384 -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
       "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    status=1
    echo "ltv fuzz: $t FAILED (input in $crashes/, log in $log):" >&2
    grep -E "ERROR|SUMMARY|runtime error|Violation|uncaught|terminate" "$log" | head -5 >&2 || true
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  echo "$t: $(($(date +%s) - start)) s, $runs executions, corpus $files files / $bytes bytes"
done
exit $status
