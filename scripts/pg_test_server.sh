#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the store tests, on 127.0.0.1 only (see
# ../shared/docs/databases.md): initdb as the postgres user in a fresh data directory, start on
# the given port with the socket in that directory, print the postmaster PID; stop by that PID.
#
#   scripts/pg_test_server.sh start DIR PORT   # prints the PID on stdout, exit 2 if not installed
#   scripts/pg_test_server.sh stop DIR PID     # stops the server and waits for the PID to exit
#
# The database `ltv_test` is created, owned by the postgres user; connect with
# postgresql://postgres@127.0.0.1:PORT/ltv_test (trust authentication, loopback only).
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
if [[ -z $cmd || -z $dir ]]; then
  echo "usage: $0 start DIR PORT | stop DIR PID" >&2
  exit 64
fi

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    port=${3:?port}
    if [[ ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
      echo "PostgreSQL 15 server binaries not installed ($bin/initdb): install postgresql-15 (scripts/deps.sh)" >&2
      exit 2
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    # Every parent must be traversable by the postgres user.
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; fi
    as_postgres "$bin/initdb" -D "$dir/data" --auth=trust --no-sync -U postgres >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_parallel_workers_per_gather=0" \
      start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres ltv_test >&2
    head -1 "$dir/data/postmaster.pid"
    ;;
  stop)
    pid=${3:?pid}
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    # pg_ctl returns slightly before the process exits: wait for the PID itself.
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR PID" >&2
    exit 64
    ;;
esac
