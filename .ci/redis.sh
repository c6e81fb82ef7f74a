#!/usr/bin/env bash
# Starts a throwaway Redis server on loopback for the tests of the Redis membership provider and
# exports MIGRATIONCLUSTER_REDIS for them. Needs Debian's `redis-server` package
# (apt-get install -y redis-server). Usage: source .ci/redis.sh && start_redis
# A non-default port, so a Redis the machine already runs is never touched; no persistence,
# because the tests' data is worthless once they end.
REDIS_PORT=${REDIS_PORT:-56379}
REDIS_DIR=${REDIS_DIR:-/tmp/migrationcluster-redis}

_redis_cli() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not installed: apt-get install -y redis-server" >&2
    return 1
  fi
  # A server left over from an earlier run would keep the port: stop it first.
  if [ -f "$REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    sleep 0.5
  fi
  rm -rf "$REDIS_DIR" && mkdir -p "$REDIS_DIR" || return 1
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --save '' --appendonly no --protected-mode yes \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/log" || {
    echo "Redis did not start, see $REDIS_DIR/log" >&2; return 1; }
  local i
  for i in $(seq 1 50); do
    if [ "$(_redis_cli ping 2>/dev/null)" = "PONG" ]; then
      export MIGRATIONCLUSTER_REDIS="127.0.0.1:$REDIS_PORT"
      echo "Redis started on 127.0.0.1:$REDIS_PORT"
      return 0
    fi
    sleep 0.1
  done
  echo "Redis did not answer on 127.0.0.1:$REDIS_PORT, see $REDIS_DIR/log" >&2
  return 1
}

stop_redis() {
  _redis_cli shutdown nosave >/dev/null 2>&1 || true
}
