#!/usr/bin/env bash
# The dashboard's end-to-end test in a real browser (ctest label `browser`): a small simulated
# retailer loaded into a fresh workspace with the CLI, `ltv serve` on a free 127.0.0.1 port, and
# dashboard.test.mjs driving Debian's headless chromium through puppeteer-core (pinned in
# package-lock.json) as an analyst and as a partner. Screenshots and the server's log go to OUT.
# Fails (never skips) when chromium, node or npm is missing.
#   usage: tests/browser/run.sh LTV_BINARY OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ltv=${1:?usage: run.sh LTV_BINARY OUT_DIR}
out=${2:?usage: run.sh LTV_BINARY OUT_DIR}
chromium=${LTV_CHROMIUM:-/usr/bin/chromium}

fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -x $chromium ]] || fail "no browser at $chromium: install Debian's chromium (scripts/deps.sh)"
command -v node >/dev/null || fail "node is missing: install Debian's nodejs (scripts/deps.sh)"
command -v npm >/dev/null || fail "npm is missing (it comes with nodejs; scripts/deps.sh)"
[[ -x $ltv ]] || fail "no ltv binary at $ltv (build it first)"

# puppeteer-core at the version of package-lock.json, installed with `npm ci` only when
# node_modules is missing or was installed from another lock file (npm ci downloads nothing the
# browser needs: puppeteer-core drives the system chromium).
stamp=$here/node_modules/.ltv-lock-sha256
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "installing the browser test's npm packages (npm ci in $here)"
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts) || fail "npm ci failed in $here"
  echo "$want" > "$stamp"
fi

rm -rf "$out"
mkdir -p "$out/screenshots"
db=$out/shop.db
data=$out/data
echo "simulating a small retailer and loading it into $db"
"$ltv" simulate --customers 10000 --seed 11 -o "$data" >/dev/null
"$ltv" init "$db" >/dev/null
"$ltv" ingest "$db" "$data/transactions.csv" --customer customer_id --date date --amount amount \
  --order order_id --product product --category category -q
"$ltv" ingest "$db" "$data/products.csv" --kind products --product product >/dev/null
for kind in customers nps contacts spend; do
  "$ltv" ingest "$db" "$data/$kind.csv" --kind $kind >/dev/null
done
"$ltv" run "$db" --model mbgnbd -q >/dev/null

# The partner: two brands, the one with the most products launched during the data (so that its
# new-product page has something to show) and the next brand by name (so that it has a brand
# picker); the other brands are what it must never see.
read -r partner_brands < <(python3 - "$data/products.csv" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
brands = sorted({r["brand"] for r in rows})
dates = sorted(r["launch_date"] for r in rows if r.get("launch_date"))
first = dates[0] if dates else ""
launched = collections.Counter(r["brand"] for r in rows if r.get("launch_date", "") > first)
main = launched.most_common(1)[0][0] if launched else brands[0]
second = brands[(brands.index(main) + 1) % len(brands)]
print(main + "," + second if second != main else main)
PY
)
[[ -n $partner_brands ]] || fail "the simulated products file names no brand"
"$ltv" user add "$db" ann --role analyst >/dev/null
"$ltv" user add "$db" supplier --role partner --brands "$partner_brands" >/dev/null
analyst_token=$("$ltv" token create "$db" ann)
partner_token=$("$ltv" token create "$db" supplier)

"$ltv" serve "$db" --listen 127.0.0.1:0 --threads 8 2> "$out/server.log" &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap stop_server EXIT
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'dashboard: http://127\.0\.0\.1:[0-9]*' "$out/server.log" | head -1 | sed 's/^dashboard: //') || true
  [[ -n $url ]] && break
  kill -0 "$server" 2>/dev/null || fail "ltv serve exited: $(cat "$out/server.log")"
  sleep 0.1
done
[[ -n $url ]] || fail "ltv serve did not print its address: $(cat "$out/server.log")"
echo "server $server at $url; partner brands $partner_brands"

LTV_URL=$url LTV_ANALYST_TOKEN=$analyst_token LTV_PARTNER_TOKEN=$partner_token \
  LTV_PARTNER_BRANDS=$partner_brands LTV_PRODUCTS_CSV=$data/products.csv \
  LTV_SCREENSHOTS=$out/screenshots LTV_CHROMIUM=$chromium \
  node "$here/dashboard.test.mjs"
status=$?
stop_server
trap - EXIT
grep -q 'internal error' "$out/server.log" && fail "the server logged an internal error: $out/server.log"
exit $status
