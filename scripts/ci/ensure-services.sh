#!/usr/bin/env bash
# Makes sure Postgres (with pgvector) and Redis are running on this machine; installs them
# from Debian's packages when absent. Idempotent: does nothing when all is in place.
set -euo pipefail

log() { echo "[services] $*"; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Postgres -------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { log "postgresql did not start"; exit 1; }

# --- pgvector (built from Debian's trixie source package; bookworm has none) ----------
has_vector() {
  [ "$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "select count(*) from pg_available_extensions where name = 'vector'")" = "1" ]
}
if ! has_vector; then
  log "building pgvector"
  pgver="$(ls /etc/postgresql | sort -V | tail -1)"
  if ! grep -rqs "trixie main" /etc/apt/sources.list.d/conduit-src.list; then
    echo "deb-src http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/conduit-src.list
    apt_updated=0
  fi
  apt_install "postgresql-server-dev-${pgver}" build-essential dpkg-dev
  work="$(mktemp -d)"
  (cd "$work" && apt-get source --download-only -qq pgvector >/dev/null 2>&1 && tar xf pgvector_*.orig.tar.* && cd pgvector-*/ && make -s OPTFLAGS="" >/dev/null && make -s install >/dev/null)
  rm -rf "$work"
  # A dev package install may have upgraded the server: restart so the new files are seen.
  pg_ctlcluster --skip-systemctl-redirect "$pgver" main restart
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  has_vector || { log "pgvector build failed"; exit 1; }
fi

# --- Redis ----------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis"
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { log "redis did not start"; exit 1; }
log "postgres (with pgvector) and redis are up"
