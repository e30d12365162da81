#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (Debian's package) and prints the env lines to source:
#   bash .ci/start-pg.sh > /tmp/pg.env && source /tmp/pg.env
# Stop it with .ci/stop-pg.sh. Data lives under /tmp: the clone folder may be unreachable for
# the postgres OS user, and Postgres refuses to run as root.
set -euo pipefail
PGPORT="${PGPORT:-55433}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PGDATA="$(mktemp -d /tmp/ci-pg.XXXXXX)"
chown postgres:postgres "$PGDATA"
su postgres -c "$PGBIN/initdb -D $PGDATA/data -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null"
su postgres -c "$PGBIN/pg_ctl -D $PGDATA/data -l $PGDATA/log -w -o '-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300' start >/dev/null"
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE weft" >/dev/null
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/weft"
echo "export CI_PGDATA=$PGDATA CI_PGBIN=$PGBIN"
