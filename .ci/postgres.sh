#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests, owned by the 'postgres' user
# (the server refuses to run as root). Exports MIGRATIONCLUSTER_POSTGRES for the tests.
PG_PORT=${PG_PORT:-55432}
PG_DIR=${PG_DIR:-/tmp/migrationcluster-pg}

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  rm -rf "$PG_DIR" && mkdir -p "$PG_DIR" && chown postgres:postgres "$PG_DIR"
  su postgres -c "$bin/initdb -D $PG_DIR/data -A trust -U postgres >/dev/null"
  su postgres -c "$bin/pg_ctl -D $PG_DIR/data -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1' -l $PG_DIR/log -w start >/dev/null"
  export MIGRATIONCLUSTER_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  su postgres -c "$bin/pg_ctl -D $PG_DIR/data -m fast stop >/dev/null" || true
}
