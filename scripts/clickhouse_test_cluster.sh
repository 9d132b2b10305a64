#!/usr/bin/env bash
# A throw-away 2-shard ClickHouse 18.16 cluster for the tests, on 127.0.0.1 only (see
# ../shared/docs/databases.md): two clickhouse-server processes with this script's own minimal
# config.xml / users.xml (never the packaged config, which listens on every address), data under
# DIR, and a <remote_servers> entry `ltv_test` naming both as shards. Stopped by PID.
#
#   scripts/clickhouse_test_cluster.sh start DIR PORT_BASE  # exit 2 when not installed
#   scripts/clickhouse_test_cluster.sh stop DIR
#
# Shard k (0, 1) answers HTTP on PORT_BASE + 2k and the native protocol on PORT_BASE + 2k + 1.
# `start` prints one line per shard: "PID HTTP_PORT TCP_PORT"; the PIDs are kept in DIR/pids.
# The `default` user (no password) is accepted from 127.0.0.1 and ::1 only; a user `ltv_secret`
# with the password `s3cret-pass` exists for the credential tests.
set -euo pipefail

server=/usr/sbin/clickhouse-server
cmd=${1:-}
dir=${2:-}
if [[ -z $cmd || -z $dir ]]; then
  echo "usage: $0 start DIR PORT_BASE | stop DIR" >&2
  exit 64
fi
dir=$(realpath -m -- "$dir")  # absolute: `stop` recognises its servers by their config path

write_config() {  # shard_dir http_port tcp_port port_base
  local d=$1 http=$2 tcp=$3 base=$4
  mkdir -p "$d/data/" "$d/tmp/" "$d/user_files/" "$d/format_schemas/"
  cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/server.log</log>
    <errorlog>$d/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <max_connections>64</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>16</max_concurrent_queries>
  <uncompressed_cache_size>8388608</uncompressed_cache_size>
  <mark_cache_size>5368709120</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <ltv_test>
      <shard>
        <replica><host>127.0.0.1</host><port>$((base + 1))</port></replica>
      </shard>
      <shard>
        <replica><host>127.0.0.1</host><port>$((base + 3))</port></replica>
      </shard>
    </ltv_test>
  </remote_servers>
</yandex>
EOF
  cat >"$d/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <ltv_secret>
      <password>s3cret-pass</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </ltv_secret>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
EOF
}

ping_http() {  # port: the body of GET /ping, or nothing
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && tail -c 4 <&3) 2>/dev/null || true
}

stop_pid() {  # pid: TERM, wait up to 10 s for it to exit, then KILL
  local pid=$1
  # Only our server: a PID that exited (a test stops a shard itself) may have been reused.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--config-file=$dir/" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case $cmd in
  start)
    base=${3:?PORT_BASE}
    if [[ ! -x $server ]]; then
      echo "clickhouse-server not installed ($server): install clickhouse-server clickhouse-client (scripts/deps.sh)" >&2
      exit 2
    fi
    mkdir -p "$dir"
    : >"$dir/pids"
    for k in 0 1; do
      http=$((base + 2 * k))
      tcp=$((base + 2 * k + 1))
      d="$dir/shard$k"
      write_config "$d" "$http" "$tcp" "$base"
      setsid "$server" --config-file="$d/config.xml" >"$d/stdout.log" 2>&1 </dev/null &
      echo "$! $http $tcp" >>"$dir/pids"
    done
    # Ready when each answers GET /ping with "Ok." (within 30 s).
    while read -r pid http tcp; do
      ok=
      for _ in $(seq 1 300); do
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        if [[ $(ping_http "$http") == "Ok."* ]]; then
          ok=1
          break
        fi
        sleep 0.1
      done
      if [[ -z $ok ]]; then
        echo "clickhouse-server on 127.0.0.1:$http did not start:" >&2
        tail -20 "$dir"/shard*/server.err.log "$dir"/shard*/stdout.log >&2 2>/dev/null || true
        while read -r p _ _; do stop_pid "$p"; done <"$dir/pids"
        exit 1
      fi
    done <"$dir/pids"
    cat "$dir/pids"
    ;;
  stop)
    [[ -f $dir/pids ]] || exit 0
    while read -r pid _ _; do stop_pid "$pid"; done <"$dir/pids"
    ;;
  *)
    echo "usage: $0 start DIR PORT_BASE | stop DIR" >&2
    exit 64
    ;;
esac
