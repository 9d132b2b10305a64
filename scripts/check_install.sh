#!/usr/bin/env bash
# Installs the build in BUILD_DIR into a temporary prefix, builds examples/embed against it with
# find_package(ltvkit) and runs it on simulated transactions. Run by ctest (test "InstallAndEmbed").
set -euo pipefail
build=${1:?usage: check_install.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ltv_install.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/ltv/ltv.hpp"
test -x "$work/prefix/bin/ltv"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src/examples/embed" -B "$work/embed" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/embed" >/dev/null
"$work/prefix/bin/ltv" simulate --customers 300 --seed 7 --transactions-only -o "$work/sim" >/dev/null
out=$("$work/embed/ltv_embed_example" "$work/sim/transactions.csv")
echo "$out"
grep -q '^customers [1-9][0-9]*, model ' <<<"$out"
test "$(grep -c '^C[0-9]* [0-9.]*$' <<<"$out")" -eq 5
