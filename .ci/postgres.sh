#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests of the PostgreSQL membership
# provider and exports MIGRATIONCLUSTER_POSTGRES for them. Needs Debian's `postgresql` package
# (apt-get install -y postgresql). Usage: source .ci/postgres.sh && start_postgres
PG_PORT=${PG_PORT:-55432}
PG_DIR=${PG_DIR:-/tmp/migrationcluster-pg}

# The server refuses to run as root: as root, run its tools as the 'postgres' user that the
# package creates; as anyone else, run them as ourselves.
_pg_as_owner() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -c "$1"
  else
    bash -c "$1"
  fi
}

_pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
    return 1
  fi
  echo "$bin"
}

start_postgres() {
  local bin
  bin=$(_pg_bin) || return 1
  # A server left over from an earlier run would keep the port and the directory: stop it first.
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    _pg_as_owner "$bin/pg_ctl -D $PG_DIR/data -m immediate stop >/dev/null 2>&1" || true
  fi
  rm -rf "$PG_DIR" && mkdir -p "$PG_DIR" || return 1
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$PG_DIR" || return 1; fi
  _pg_as_owner "$bin/initdb -D $PG_DIR/data -A trust -U postgres >$PG_DIR/initdb.log 2>&1" || {
    echo "initdb failed, see $PG_DIR/initdb.log" >&2; return 1; }
  _pg_as_owner "$bin/pg_ctl -D $PG_DIR/data -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1' -l $PG_DIR/log -w start >/dev/null" || {
    echo "PostgreSQL did not start, see $PG_DIR/log" >&2; return 1; }
  export MIGRATIONCLUSTER_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  local bin
  bin=$(_pg_bin) || return 0
  _pg_as_owner "$bin/pg_ctl -D $PG_DIR/data -m fast stop >/dev/null 2>&1" || true
}
