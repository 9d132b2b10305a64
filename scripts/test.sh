#!/usr/bin/env bash
# README command 2 (and what CI runs): install what is missing, build and run every test, first
# in the release build (which also leaves the CLI at build/bin/ltv), then under AddressSanitizer
# and UndefinedBehaviorSanitizer, then every libFuzzer target for 20 seconds (7 targets: about
# 2.5 minutes; longer runs: scripts/fuzz.sh SECONDS, results in docs/reliability.md).
# Idempotent: a re-run with nothing changed rebuilds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh chromium chromium-driver  # headless browser for the report test (tests/report)
jobs=$(nproc)

cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j "$jobs"

cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -j "$jobs" -LE slow

scripts/fuzz.sh 20
