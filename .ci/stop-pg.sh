#!/usr/bin/env bash
# Stops the cluster .ci/start-pg.sh started (CI_PGDATA, CI_PGBIN from its env lines).
set -u
[ -n "${CI_PGDATA:-}" ] || exit 0
su postgres -c "$CI_PGBIN/pg_ctl -D $CI_PGDATA/data -m fast stop" >/dev/null 2>&1
rm -rf "$CI_PGDATA"
