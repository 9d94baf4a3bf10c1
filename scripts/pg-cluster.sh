#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for tests and benchmarks: initdb in a new directory, as an
# unprivileged user (root runs it as `postgres`, the account Debian's package creates), listening
# on 127.0.0.1 only, on a free port, with SCRAM-SHA-256 passwords.
#
#   scripts/pg-cluster.sh start DIR     # prints postgres://bazaar:PASSWORD@127.0.0.1:PORT/bazaar
#   scripts/pg-cluster.sh stop DIR      # stops the server and removes DIR
#
# PG_LISTEN=ADDRESS listens there instead of 127.0.0.1, and PG_ALLOW=CIDR lets clients of that
# network in (with passwords): the multi-host test runs the server in a network namespace.
#
# Needs Debian's postgresql-15 (make test installs it).
set -euo pipefail
command="${1:?usage: pg-cluster.sh start|stop DIR}"
dir="${2:?usage: pg-cluster.sh start|stop DIR}"
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "pg-cluster.sh: PostgreSQL 15 is not installed (apt-get install postgresql-15)" >&2; exit 69; }
as_owner=()
[ "$(id -u)" = 0 ] && as_owner=(runuser -u postgres --)

case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
    listen="${PG_LISTEN:-127.0.0.1}"
    port="$(python3 -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$listen")"
    printf '%s\n' "$password" > "$dir/.password"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/.password"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U bazaar --pwfile="$dir/.password" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 70; }
    if [ -n "${PG_ALLOW:-}" ]; then
      echo "host all all $PG_ALLOW scram-sha-256" >> "$dir/data/pg_hba.conf"
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=$listen -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 70; }
    PGPASSWORD="$password" "$bin/psql" -h "$listen" -p "$port" -U bazaar -d postgres -qAt \
      -c "CREATE DATABASE bazaar" >/dev/null
    echo "postgres://bazaar:$password@$listen:$port/bazaar" | tee "$dir/url"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 64
    ;;
esac
