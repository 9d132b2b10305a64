#!/usr/bin/env bash
# Installs the Debian 12 packages ltvkit needs, only those that are missing (idempotent: a second
# run with everything present makes no network call and takes well under a second).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache
  # libraries (found with find_package / pkg-config; nothing is vendored or downloaded)
  libcli11-dev nlohmann-json3-dev libfmt-dev libeigen3-dev libboost-math-dev
  libnlopt-cxx-dev zlib1g-dev libtomlplusplus-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev time gzip
  # fuzzing (preset fuzz, scripts/fuzz.sh): clang 14 with libFuzzer and its OpenMP runtime;
  # setpriv (util-linux) runs the read-only-folder test as an unprivileged user under root
  clang-14 libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev util-linux
  # workspace store: SQLite (embedded default), PostgreSQL (client library and the server the
  # store tests start on 127.0.0.1), libcrypto for content hashes
  libsqlite3-dev sqlite3 libpq-dev postgresql-15 libssl-dev
  # HTTP server (ltv serve): cpp-httplib, libsodium for API tokens
  libcpp-httplib-dev libsodium-dev
  # the dashboard: Chart.js compiled into the binary from Debian's file (xxd -i embeds the
  # assets); its browser test drives Debian's chromium with puppeteer-core (tests/browser/;
  # npm is added below when the nodejs build lacks it)
  libjs-chart.js xxd chromium nodejs
  # ClickHouse as a transaction source (src/store/clickhouse.cpp talks HTTP through cpp-httplib):
  # the servers of the 2-shard test cluster (scripts/clickhouse_test_cluster.sh) and the client
  clickhouse-server clickhouse-client
  # languages (issue 27): msgfmt/xgettext/msgmerge for the po/ catalogues, Boost.Locale reads them
  gettext libboost-locale-dev
  python3-pandas  # bench/lifetimes_summary.py (the pandas side of the summary benchmark)
  # the Python module (python/): bindings, Debian's interpreter with numpy (and pandas, above),
  # its tests
  pybind11-dev python3-dev python3-numpy python3-pytest
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# npm: bundled with some nodejs builds (e.g. Node 20 here); Debian's nodejs ships without it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "ltvkit: installing missing Debian packages: ${missing[*]}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
